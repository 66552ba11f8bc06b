"""``python -m flask_authjs secret``: the commands that need no app.

``flask authjs secret`` needs a loadable app, which is exactly what a missing secret
prevents; this entry point prints one without any app.
"""

from __future__ import annotations

import click

from .cli import print_secret

main = click.Group("flask_authjs", help="flask-authjs commands that need no app.")
main.add_command(print_secret)

if __name__ == "__main__":
    main(prog_name="python -m flask_authjs")
