"""Typed reports: the JSON schema of ``loadguard scan --format json``
(docs/json-schema.md) as dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

#: Severities, lowest first.
SEVERITIES: Tuple[str, ...] = ("info", "low", "medium", "high", "critical")
#: Verdicts, best first.
VERDICTS: Tuple[str, ...] = ("safe", "not-scanned", "review", "not-safe")


@dataclass(frozen=True)
class Location:
    """Where a finding is: the file, the archive members leading to it, and a
    byte offset, pickle opcode, stream, logical place or line in the innermost."""

    path: str
    member: Optional[str] = None
    members: Tuple[str, ...] = ()
    offset: Optional[int] = None
    opcode: Optional[str] = None
    stream: Optional[int] = None
    logical: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "Location":
        return cls(
            path=d["path"],
            member=d.get("member"),
            members=tuple(d.get("members") or ()),
            offset=d.get("offset"),
            opcode=d.get("opcode"),
            stream=d.get("stream"),
            logical=d.get("logical"),
            line=d.get("line"),
            column=d.get("column"),
        )


@dataclass(frozen=True)
class Finding:
    """One finding: the rule (code and name), severity, confidence, CWE, a
    one-line message, the callable involved and where it is."""

    rule: str
    name: str
    severity: str
    confidence: str
    cwe: str
    message: str
    location: Location
    callable: Optional[str] = None
    arguments: Optional[str] = None
    occurrences: int = 1
    help: str = ""

    @property
    def severity_rank(self) -> int:
        """0 (info) to 4 (critical), for comparisons."""
        return SEVERITIES.index(self.severity)

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "Finding":
        return cls(
            rule=d["rule"],
            name=d["name"],
            severity=d["severity"],
            confidence=d["confidence"],
            cwe=d["cwe"],
            message=d["message"],
            location=Location.from_json(d["location"]),
            callable=d.get("callable"),
            arguments=d.get("arguments"),
            occurrences=d.get("occurrences", 1),
            help=d.get("help", ""),
        )

    def __str__(self) -> str:
        where = self.location.path
        if self.location.member:
            where += f" \u2192 {self.location.member}"
        if self.location.offset is not None:
            where += f" @{self.location.offset}"
        if self.location.line is not None:
            where += f":{self.location.line}"
        return f"{self.severity} {self.rule} {self.name}: {self.message} ({where})"


@dataclass(frozen=True)
class File:
    """One scanned file (a ``targets`` entry of the JSON report)."""

    path: str
    format: str
    size: int
    verdict: str
    findings: int
    error: Optional[str] = None

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "File":
        return cls(
            path=d["path"],
            format=d["format"],
            size=d["size"],
            verdict=d["verdict"],
            findings=d["findings"],
            error=d.get("error"),
        )


@dataclass(frozen=True)
class Report:
    """What ``loadguard.scan()`` returns. ``verdict`` is the worst file's:
    ``safe``, ``not-scanned`` (content not understood: never safe),
    ``review`` or ``not-safe``. ``exit_code`` is the command line's (0, 1
    when a finding reaches ``fail_on``, 2 when a target could not be read)."""

    verdict: str
    files: Tuple[File, ...]
    findings: Tuple[Finding, ...]
    exit_code: int
    tool_version: str
    raw: Dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def safe(self) -> bool:
        """True only when everything was scanned, understood and clean."""
        return self.verdict == "safe"

    def worst(self, n: int = 5) -> List[Finding]:
        """The ``n`` most severe findings."""
        return sorted(self.findings, key=lambda f: -f.severity_rank)[:n]

    @classmethod
    def from_json(cls, d: Dict[str, Any], exit_code: int) -> "Report":
        return cls(
            verdict=d["verdict"],
            files=tuple(File.from_json(t) for t in d.get("targets", ())),
            findings=tuple(Finding.from_json(f) for f in d.get("findings", ())),
            exit_code=exit_code,
            tool_version=d.get("tool", {}).get("version", ""),
            raw=d,
        )
