"""What the Markdown and HTML reports share: escaping, the page around them, embedded images.

Feedback quotes student code and exception messages, so every piece of text is escaped: nothing
a submission prints can become markup. Each HTML page is one self-contained file whose policy
forbids scripts and any fetch, so it opens the same offline, in a mail, or from a zip.
"""

import base64
import html
import re
from pathlib import Path

from autograder.outputs.writers import atomic_write, printable

POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       color: #1d1d1f; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; }
th, td { text-align: left; vertical-align: top; padding: .35em .6em;
         border-bottom: 1px solid #ddd; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.pass td:first-child { color: #1a7f37; } tr.fail td:first-child { color: #cf222e; }
pre { white-space: pre-wrap; margin: 0; font: 13px/1.4 ui-monospace, monospace; }
.message { background: #fff4e5; padding: .6em 1em; border-left: 4px solid #f0a020; }
figure { margin: 1.5em 0; } img { max-width: 100%; }
code { font: 13px ui-monospace, monospace; }
"""


def text(value) -> str:
    """Escaped for HTML text (and for Markdown, which passes HTML through); never for an
    attribute. Control characters are written out (`writers.printable`): a report may be read
    in a terminal."""
    return html.escape(printable(str(value)), quote=False)


def fenced(value: str) -> str:
    """A Markdown code block that no backticks inside it can close, control characters
    written out."""
    value = printable(value)
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{value}\n{fence}"


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def html_page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{text(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n"
            f"</body>\n</html>\n")


def write_pair(stem: Path, markdown: str, page: str) -> tuple[Path, Path]:
    """<stem>.md and <stem>.html, each written whole."""
    md_path, html_path = stem.with_name(stem.name + ".md"), stem.with_name(stem.name + ".html")
    atomic_write(md_path, markdown)
    atomic_write(html_path, page)
    return md_path, html_path
