#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    from cms.env import load_env_file

    # A deployment's .env names cms.settings.production; without one this is a
    # development checkout.
    load_env_file()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
