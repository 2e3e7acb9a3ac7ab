"""Writing tally tables as Markdown, CSV, XLSX, PPTX and PNG/SVG charts, a module each.

``wording`` holds what they share (headings, cell texts and footnotes in the codebook's
language); ``writers`` says which writer makes which format (``write_tallies``). Every
name is re-exported here, so ``from coder.reports.formats import to_csv`` works.
"""

from coder.reports.formats.chart_image import to_chart
from coder.reports.formats.csv_table import CSV_COLUMNS, csv_columns, to_csv
from coder.reports.formats.markdown_table import to_markdown
from coder.reports.formats.pptx_deck import to_pptx
from coder.reports.formats.wording import (
    WORDS,
    Words,
    by_header,
    by_title,
    change_header,
    change_text,
    cross_table,
    examples_text,
    footnotes,
    label_text,
    main_table,
    percent,
    words,
)
from coder.reports.formats.writers import FILE_FORMATS, FORMATS, write_tallies
from coder.reports.formats.xlsx_workbook import to_xlsx

__all__ = [
    "CSV_COLUMNS",
    "FILE_FORMATS",
    "FORMATS",
    "WORDS",
    "Words",
    "by_header",
    "by_title",
    "change_header",
    "change_text",
    "cross_table",
    "csv_columns",
    "examples_text",
    "footnotes",
    "label_text",
    "main_table",
    "percent",
    "to_chart",
    "to_csv",
    "to_markdown",
    "to_pptx",
    "to_xlsx",
    "words",
    "write_tallies",
]
