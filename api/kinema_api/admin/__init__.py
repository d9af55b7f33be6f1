"""Administration: uploads (multipart and tus), videos, their events and subtitles."""
