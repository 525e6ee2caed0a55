"""Flux `${VAR}` substitution: where each variable is defined and where it is used."""

from __future__ import annotations

from dataclasses import dataclass

from tuiops.domain.refs import ObjectRef, SourceLocation


@dataclass(frozen=True, slots=True)
class VariableDefinition:
    """One place a variable gets its value."""

    name: str
    origin: str
    """`clusterenv`, `configmap`, `secret`, `substitute`, `derived` or `dotenv`."""
    location: SourceLocation
    object: ObjectRef | None
    """The ConfigMap, Secret or Kustomization that carries it, if any."""
    encrypted: bool = False


@dataclass(frozen=True, slots=True)
class VariableUse:
    """One `${VAR}` reference Flux (or talhelper) would substitute."""

    name: str
    location: SourceLocation
    consumer: ObjectRef | None
    """The Flux Kustomization whose build substitutes it (None for talconfig)."""
    has_default: bool
    defined: bool
    """Whether the consumer's scope defines it (or a default covers it)."""

    @property
    def consumer_label(self) -> str:
        """How the consumer is named in reports (talconfig is filled by talhelper)."""
        return self.consumer.namespaced_name if self.consumer is not None else "talhelper"


@dataclass(frozen=True, slots=True)
class Variable:
    """A variable name with all its definitions and uses."""

    name: str
    definitions: tuple[VariableDefinition, ...]
    uses: tuple[VariableUse, ...]
    clustertool: str = ""
    """Why clustertool itself needs it (it reads the key, derives `<KEY>_IP`/`_NETMASK`/`_CIDR`
    from it, or it is such a derived key); empty when it does not."""


@dataclass(frozen=True, slots=True)
class VariableReport:
    """Variables of one cluster."""

    variables: tuple[Variable, ...]
    undefined: tuple[VariableUse, ...]
    """Uses with no default whose scope does not define them: Flux renders them empty."""
    unused: tuple[str, ...]
    """Names defined in the cluster-wide settings that nothing reachable uses (never one that
    clustertool needs)."""
    clustertool: tuple[str, ...] = ()
    """Names clustertool itself needs, sorted: each such `Variable` says why."""

    @staticmethod
    def empty() -> VariableReport:
        """A report for a cluster with no variables."""
        return VariableReport((), (), ())
