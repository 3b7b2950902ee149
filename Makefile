# CarePlatform: `make run` starts everything, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install browser clean

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev,local]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m careplatform.devserver run

test: $(STAMP)
	$(PY) -m careplatform.devserver test -- $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo
	DEBUG=1 $(VENV)/bin/mypy careplatform/validators.py careplatform/clock.py careplatform/health.py tenants/provisioning.py tenants/routing.py tenants/tasks.py \
		careplatform/bankid/client.py careplatform/bankid/errors.py careplatform/bankid/messages.py \
		careplatform/bankid/qr.py careplatform/bankid/simulator/store.py \
		tenant_apps/accounts/login/services.py careplatform/netutils.py careplatform/i18n.py \
		careplatform/db_backend/base.py tenant_apps/accounts/services.py \
		tenant_apps/administration/services.py tenant_apps/api/services.py \
		tenant_apps/profiles/services.py tenant_apps/profiles/photos.py tenant_apps/bookings/services.py \
	tenant_apps/bookings/calendar.py tenant_apps/bookings/access.py tenants/services.py \
	tenant_apps/audit/services.py careplatform/timeutil.py \
	careplatform/sms/gateway.py careplatform/sms/segments.py tenant_apps/notifications/due.py \
	tenant_apps/notifications/callbacks.py careplatform/sms/backends/elks46.py \
	careplatform/sms/backends/outbox.py tenant_apps/notifications/services.py \
	tenant_apps/notifications/sending.py tenant_apps/notifications/sweep.py \
	tenant_apps/notifications/texts.py tenant_apps/notifications/resend.py careplatform/sms/pause.py \
	tenant_apps/video/rooms.py tenant_apps/video/services.py tenant_apps/video/ice.py \
	tenant_apps/video/protocol.py tenant_apps/video/watch.py careplatform/websocket_auth.py

bench: $(STAMP)
	$(PY) -m careplatform.devserver bench

clean:
	rm -rf .data .pytest_cache
