"""Artwork an admin uploads for a title: checked at the edge (JPEG or PNG, sizes, the
upload's state), re-encoded without the file's metadata, listed, served to admins only,
a variant of the title's next test, and not deletable while a running test shows it."""

from __future__ import annotations

import io
import uuid

from fastapi.testclient import TestClient
from PIL import Image

from kinema.catalog.models import Title
from kinema_api.artwork.services import uploads
from kinema_api.context import AppContext
from tests.utils.factories import (
    admin_token,
    bearer,
    make_completed_upload,
    make_ready_video,
    make_title,
    signup,
)


def _png(size: tuple[int, int] = (300, 450), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def _jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (400, 600), "blue")
    exif = Image.Exif()
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPSInfo: a latitude
    exif[0x010F] = "SecretCam"  # Make
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _upload(ctx: AppContext, data: bytes, filename: str = "poster.png") -> str:
    with ctx.sessions() as s:
        upload_id = make_completed_upload(s, ctx.store, data=data, filename=filename)
        s.commit()
    return str(upload_id)


def _title(ctx: AppContext) -> uuid.UUID:
    with ctx.sessions() as s:
        title: Title = make_title(s)
        make_ready_video(s, title=title)
        s.commit()
        return title.id


def test_an_upload_becomes_a_variant_of_the_next_test(ctx: AppContext, client: TestClient) -> None:
    title_id = _title(ctx)
    admin = bearer(admin_token(ctx, client))
    base = f"/api/v1/admin/titles/{title_id}/artwork"
    assert client.get(base, headers=admin).json() == []

    made = client.post(base, json={"upload_id": _upload(ctx, _png())}, headers=admin)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["name"].endswith(".png")
    listed = client.get(base, headers=admin).json()
    assert listed == [body]
    image = client.get(body["image_url"], headers=admin)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size == (300, 450)

    # A viewer may neither list, fetch, add nor delete; nobody signed out either.
    viewer = bearer(signup(client))
    someone = {"upload_id": _upload(ctx, _png())}
    for h, refused in ((viewer, 403), ({}, 401)):
        if not h:
            client.cookies.clear()  # signed out: without the session cookie signup set
        assert client.get(base, headers=h).status_code == refused
        assert client.get(body["image_url"], headers=h).status_code == refused
        assert client.post(base, json=someone, headers=h).status_code == refused
        assert client.delete(f"{base}/{body['name']}", headers=h).status_code == refused
    assert [u["name"] for u in client.get(base, headers=admin).json()] == [body["name"]]

    # A second image: a title without poster candidates can be tested with uploads alone.
    second = client.post(base, json={"upload_id": _upload(ctx, _png(color="green"))}, headers=admin)
    assert second.status_code == 201, second.text
    assert [u["name"] for u in client.get(base, headers=admin).json()] == [
        body["name"],
        second.json()["name"],
    ]

    # The next test shows them as variants; while it runs, they cannot be deleted.
    test = client.post(
        "/api/v1/admin/artwork/tests", json={"title_id": str(title_id)}, headers=admin
    )
    assert test.status_code == 201, test.text
    sources = [v["source"] for v in test.json()["variants"]]
    assert sources == ["upload", "upload"]
    gone = client.delete(f"{base}/{body['name']}", headers=admin)
    assert gone.status_code == 409, gone.text
    assert "running test" in gone.json()["detail"]

    # It wins: it is the title's poster now, and still cannot be deleted.
    upload_variant = next(v for v in test.json()["variants"] if v["source"] == "upload")
    ended = client.post(
        f"/api/v1/admin/artwork/tests/{test.json()['id']}/end",
        json={"winner_id": upload_variant["id"]},
        headers=admin,
    )
    assert ended.status_code == 200, ended.text
    poster = client.get(f"/api/v1/titles/{title_id}/poster", headers=viewer)
    assert poster.status_code == 200 and poster.content == image.content
    assert client.delete(f"{base}/{body['name']}", headers=admin).status_code == 409


def test_metadata_is_stripped_and_a_second_upload_deletes(
    ctx: AppContext, client: TestClient
) -> None:
    title_id = _title(ctx)
    admin = bearer(admin_token(ctx, client))
    base = f"/api/v1/admin/titles/{title_id}/artwork"
    made = client.post(
        base, json={"upload_id": _upload(ctx, _jpeg_with_gps(), "p.jpg")}, headers=admin
    )
    assert made.status_code == 201, made.text
    stored = client.get(made.json()["image_url"], headers=admin).content
    assert b"SecretCam" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    deleted = client.delete(f"{base}/{made.json()['name']}", headers=admin)
    assert deleted.status_code == 200, deleted.text
    assert client.get(base, headers=admin).json() == []
    assert client.get(made.json()["image_url"], headers=admin).status_code == 404


def test_bad_uploads_are_refused_with_a_reason(ctx: AppContext, client: TestClient) -> None:
    title_id = _title(ctx)
    admin = bearer(admin_token(ctx, client))
    base = f"/api/v1/admin/titles/{title_id}/artwork"

    def post(upload_id: str, where: str = base) -> tuple[int, str]:
        r = client.post(where, json={"upload_id": upload_id}, headers=admin)
        return r.status_code, r.text

    code, text = post(_upload(ctx, b"<svg onload=alert(1)>", "x.png"))
    assert code == 422 and "not an image" in text
    gif = io.BytesIO()
    Image.new("RGB", (200, 200)).save(gif, format="GIF")
    code, text = post(_upload(ctx, gif.getvalue(), "x.gif"))
    assert code == 422 and "JPEG or PNG" in text
    code, text = post(_upload(ctx, _png((50, 50))))
    assert code == 422 and "50x50" in text
    code, _ = post(str(uuid.uuid4()))
    assert code == 404
    code, _ = post(_upload(ctx, _png()), f"/api/v1/admin/titles/{uuid.uuid4()}/artwork")
    assert code == 404
    assert client.post(base, json={"upload_id": "nope"}, headers=admin).status_code == 422
    # Names that are not an upload's are not found (no path out of the title's folder).
    for name in ("..%2F..%2Fsecret.jpg", "x.txt", ".hidden.png"):
        assert client.get(f"{base}/{name}", headers=admin).status_code == 404
    # At most MAX_UPLOADS a title.
    for _ in range(uploads.MAX_UPLOADS):
        assert post(_upload(ctx, _png()))[0] == 201
    code, text = post(_upload(ctx, _png()))
    assert code == 409 and "delete one first" in text


def test_deleting_a_movie_deletes_its_uploaded_artwork(ctx: AppContext, client: TestClient) -> None:
    with ctx.sessions() as s:
        title: Title = make_title(s)
        video_id = make_ready_video(s, title=title).id
        s.commit()
        title_id = title.id
    admin = bearer(admin_token(ctx, client))
    made = client.post(
        f"/api/v1/admin/titles/{title_id}/artwork",
        json={"upload_id": _upload(ctx, _png())},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    assert uploads.listed(ctx.store, title_id)
    gone = client.delete(f"/api/v1/admin/videos/{video_id}", headers=admin)
    assert gone.status_code in (200, 204), gone.text
    assert uploads.listed(ctx.store, title_id) == []
