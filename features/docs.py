"""The feature documentation table, generated from the registry (``python -m features.docs``)."""

from __future__ import annotations

from features.registry import feature_list


def markdown_table(entity_keys: tuple[str, ...] = ()) -> str:
    """One row per model feature: name, kind and the analyst-facing text."""
    lines = ["| feature | kind | meaning |", "|---|---|---|"]
    for feature in feature_list(entity_keys):
        lines.append(f"| `{feature.name}` | {feature.kind.value} | {feature.doc} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
