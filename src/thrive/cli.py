"""The `thrive` command: Django's management commands under one name (migrate, load_demo, ...)."""

import os
import signal
import sys


def command_line(argv: list[str]) -> list[str]:
    """Commands may be written with hyphens, as people type them: `thrive import-mhsds DIR` runs
    Django's `import_mhsds`. Only the command name changes, never its arguments."""
    if len(argv) > 1 and not argv[1].startswith("-"):
        return [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    return list(argv)


def _exit_on_terminate(signum, frame):
    # Python's default for SIGTERM ends the process at once; raising SystemExit instead unwinds
    # it, so an import or refresh stopped by `kill` or a scheduler removes its working files.
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _exit_on_terminate)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.config.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(command_line(sys.argv))


if __name__ == "__main__":
    main()
