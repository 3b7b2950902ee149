#!/usr/bin/env python
import sys

if __name__ == "__main__":
    try:
        from careplatform.commandline import main
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ("careplatform", "tenants", "tenant_apps"):
            raise
        # A Python without the project's packages (the system's `python`, say).
        sys.exit(
            f"{exc}: run the commands with the checkout's Python, .venv/bin/python manage.py … "
            "(`make run` or `make install` creates .venv)."
        )
    sys.exit(main(sys.argv))
