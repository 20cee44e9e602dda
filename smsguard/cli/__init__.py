"""The ``smsguard`` command line: parse arguments, call the library, render, nothing else.

No traceback ever reaches a user: an :class:`~smsguard.errors.SmsguardError` prints its code
and message and exits 2; anything unexpected prints a one-line internal-error notice and
exits 70 (set ``SMSGUARD_DEBUG=1`` to see the traceback).
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import click

from smsguard import __version__
from smsguard.cli._context import CliState
from smsguard.errors import SmsguardError

EXIT_USER_ERROR = 2
EXIT_INTERNAL = 70


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smsguard")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Settings file (YAML). Default: $SMSGUARD_CONFIG or $SMSGUARD_HOME/settings.yaml.",
)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for all local state (default: $SMSGUARD_HOME or ./.smsguard).",
)
@click.pass_context
def cli(ctx: click.Context, config: Path | None, home: Path | None) -> None:
    """smsguard: screen, govern and trace consumer-lending SMS."""
    ctx.obj = CliState(config_file=config, home=home)


def _register() -> None:
    from smsguard.cli import (
        api_keys,
        check,
        customers,
        db,
        demo,
        fingerprints,
        gateway,
        keys,
        log,
        model,
        model_eval,
        rules,
        scan,
        serve,
        users,
        witness,
    )

    model_eval.register(model.model)
    cli.add_command(check.check)
    cli.add_command(scan.scan)
    cli.add_command(rules.rules)
    cli.add_command(demo.demo)
    cli.add_command(model.model)
    cli.add_command(fingerprints.fingerprints)
    cli.add_command(db.db)
    cli.add_command(db.institutions)
    cli.add_command(users.users)
    cli.add_command(api_keys.api_keys)
    cli.add_command(serve.serve)
    cli.add_command(keys.keys)
    cli.add_command(customers.customers)
    cli.add_command(gateway.campaigns)
    cli.add_command(gateway.send_command)
    cli.add_command(gateway.worker_command)
    cli.add_command(gateway.verify_command)
    cli.add_command(log.log)
    cli.add_command(witness.witness)

    from smsguard.cli import complaints

    cli.add_command(complaints.complaints)

    from smsguard.cli import report

    cli.add_command(report.report)

    from smsguard.cli import intel

    cli.add_command(intel.intel)

    from smsguard.cli import audience, audience_model

    audience.audience.add_command(audience_model.train_command)
    audience.audience.add_command(audience_model.fairness_command)
    cli.add_command(audience.audience)

    from smsguard.cli import audience_data, dnc

    audience.audience.add_command(audience_data.generate_command)
    cli.add_command(dnc.dnc)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    try:
        code = cli.main(args=argv, prog_name="smsguard", standalone_mode=False)
        if isinstance(code, int) and code:  # click returns Exit(n) codes in this mode
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except SmsguardError as exc:
        click.echo(f"error [{exc.code}]: {exc.diagnostics()}", err=True)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # the last line of defence: no traceback for users
        if os.environ.get("SMSGUARD_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"internal error: {type(exc).__name__}. This is a bug in smsguard; "
            "rerun with SMSGUARD_DEBUG=1 and report the output.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
