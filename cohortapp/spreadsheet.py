"""CSV files that spreadsheet programs open safely: UTF-8 with BOM, formulas neutralised."""

import csv
import io

from flask import Response

# A cell beginning with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


def csv_response(text: str, filename: str) -> Response:
    """A CSV file the browser downloads under `filename`."""
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
