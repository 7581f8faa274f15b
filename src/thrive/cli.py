"""The `thrive` command: Django's management commands under one name (migrate, load_demo, ...)."""

import os
import sys


def command_line(argv: list[str]) -> list[str]:
    """Commands may be written with hyphens, as people type them: `thrive import-mhsds DIR` runs
    Django's `import_mhsds`. Only the command name changes, never its arguments."""
    if len(argv) > 1 and not argv[1].startswith("-"):
        return [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    return list(argv)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(command_line(sys.argv))


if __name__ == "__main__":
    main()
