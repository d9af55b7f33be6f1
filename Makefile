# Developer shortcuts; the README's two commands are scripts/up and scripts/test.
VENV := .venv/bin
PACKAGES := kinema operator/kinema_operator api/kinema_api transcoder_image/kinema_transcoder

.PHONY: check fmt lint typecheck layers test up bootstrap

check: lint typecheck layers

lint:
	$(VENV)/ruff format --check .
	$(VENV)/ruff check .

fmt:
	$(VENV)/ruff format .
	$(VENV)/ruff check --fix .

typecheck:
	$(VENV)/mypy $(PACKAGES) tests

layers:
	$(VENV)/lint-imports

bootstrap:
	scripts/bootstrap

test:
	scripts/test

up:
	scripts/up
