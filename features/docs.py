"""The feature documentation table, generated from the registry (``python -m features.docs``)."""

from __future__ import annotations

from features.registry import Feature, feature_list


def markdown_table(features: tuple[Feature, ...] | None = None) -> str:
    """One row per model feature (default: the registry's without extras): name, kind and the
    analyst-facing text."""
    lines = ["| feature | kind | meaning |", "|---|---|---|"]
    for feature in feature_list() if features is None else features:
        lines.append(f"| `{feature.name}` | {feature.kind.value} | {feature.doc} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
