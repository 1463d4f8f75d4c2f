"""``python -m dprk_ru_data``: the `dprk-data` command."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="dprk-data")
