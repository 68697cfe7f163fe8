"""Plain-text renderings of run summaries for the terminal."""

from __future__ import annotations

from features.intake import IntakeReport


def render_intake(report: IntakeReport) -> str:
    """A readable validation report: counts, each broken rule with examples, and the verdict."""
    lines = [
        f"{report.path} ({report.file_format}, {len(report.columns)} columns)",
        f"  rows read      {report.rows_read:>12,}",
        f"  valid          {report.rows_valid:>12,}",
        f"  rejected       {report.rows_rejected:>12,}",
    ]
    if report.tallies:
        lines.append("row problems (these rows go to the rejects file):")
        for (column, rule), tally in sorted(report.tallies.items(), key=lambda i: -i[1].count):
            examples = ", ".join(f"line {line}: {value!r}" for line, value in tally.examples)
            lines.append(f"  {column}: {rule}: {tally.count:,} row(s), e.g. {examples}")
    if report.read_as_missing:
        lines.append("unknown codes read as missing (these rows are kept):")
        for column, tally in sorted(report.read_as_missing.items()):
            examples = ", ".join(f"line {line}: {value!r}" for line, value in tally.examples)
            lines.append(f"  {column}: {tally.count:,} value(s), e.g. {examples}")
    if report.usable:
        lines.append("verdict: usable")
    else:
        lines.append("verdict: unusable, no row passed validation")
    return "\n".join(lines)
