"""``medscribe stream``'s live view: partials rewritten in place, finals appended with labels.

A terminal display, so it lives with the CLI; it reads the streaming events
(:mod:`medscribe.streaming.events`) that both backends produce.

Rich's ``Live`` keeps a small region at the bottom of the terminal that is
redrawn as partials change (one line per channel, unstable words dimmed); each
final is printed above that region, so the scrollback holds finals only and the
live region never grows. When the console is not a terminal (a pipe or a file)
partials are skipped and each final is one plain line.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

from medscribe.streaming.events import Result, TranscriptEvent
from medscribe.transcript.model import Transcript

_STYLES = ("cyan", "magenta", "green", "yellow", "blue", "red")


class LiveDisplay:
    """A context manager; pass :meth:`on_event` as the stream's callback."""

    def __init__(self, console: Console, *, speaker_names: dict[str, str] | None = None) -> None:
        self.console = console
        self.names = speaker_names or {}
        self._partials: dict[str, Text] = {}
        self._live: Live | None = None

    def __enter__(self) -> LiveDisplay:
        if self.console.is_terminal:
            self._live = Live(
                Group(),
                console=self.console,
                refresh_per_second=10,
                transient=True,
                auto_refresh=False,
            )
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)
            self._live = None

    def on_event(self, event: TranscriptEvent) -> None:
        for result in event.results:
            key = result.channel_id or ""
            if result.is_partial:
                if self._live is not None:
                    self._partials[key] = self._partial_line(result)
            else:
                self._partials.pop(key, None)
                for line in self._final_lines(result):
                    self.console.print(line, soft_wrap=True)
        if self._live is not None:
            self._live.update(Group(*self._partials.values()), refresh=True)

    # -- lines

    def _label(self, label: str | None) -> Text:
        if not label:
            return Text()
        number = label.rpartition("_")[2]
        style = _STYLES[int(number) % len(_STYLES)] if number.isdigit() else "bold"
        return Text(f"{self.names.get(label, label)}: ", style=f"bold {style}")

    def _partial_line(self, result: Result) -> Text:
        line = self._label(result.channel_id)
        items = result.alternatives[0].items if result.alternatives else []
        for n, item in enumerate(items):
            space = "" if item.type == "punctuation" or n == 0 else " "
            style = "" if item.stable else "dim italic"
            line.append(space + item.content, style=style)
        return line

    def _final_lines(self, result: Result) -> list[Text]:
        # A final may hold a change of speaker: one line per turn.
        lines = []
        for turn in Transcript(items=result.to_items()).turns():
            line = self._label(turn.label)
            line.append(turn.text)
            lines.append(line)
        return lines
