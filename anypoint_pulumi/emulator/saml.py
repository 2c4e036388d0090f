"""Just enough SAML 2.0 for the emulator: build an IdP-initiated Response, and read one back.

Signatures are neither produced nor checked (documented in the README: the emulator is a local
fake whose own responses are unsigned; Anypoint checks the IdP's signature). The emulator
validates what a client can get wrong: encoding, issuer, ``InResponseTo``, validity window (no
clock skew), a subject the issuer federates, and single use (the Response ``ID`` and Assertion
``ID`` are remembered). Parsing goes through defusedxml with DTDs forbidden, in any encoding the
document declares, so entity-expansion and external-entity tricks never reach the parser.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from .state import new_id

PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
MAX_ENCODED_CHARS = 256 * 1024

_P = f"{{{PROTOCOL_NS}}}"
_A = f"{{{ASSERTION_NS}}}"


class SamlDecodeError(ValueError):
    """The SAMLResponse is not base64 of a well-formed, DTD-free XML document."""


@dataclass(frozen=True)
class SamlAssertion:
    """What the emulator needs from a SAML Response."""

    issuer: str | None
    name_id: str | None
    response_id: str | None
    assertion_ids: tuple[str, ...]
    in_response_to: tuple[str, ...]
    not_on_or_after: tuple[datetime, ...]
    not_before: tuple[datetime, ...]
    status: str | None


def saml_instant(moment: datetime) -> str:
    """An ``xs:dateTime`` in UTC, as IdPs write it (``2024-01-02T03:04:05Z``)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_response(
    *,
    issuer: str,
    name_id: str,
    now: datetime,
    not_on_or_after_seconds: float = 300,
    in_response_to: str = "",
    audience: str = "https://anypoint.mulesoft.com/accounts/login",
) -> str:
    """A base64-encoded, unsigned SAML 2.0 Response asserting ``name_id``."""
    ET.register_namespace("samlp", PROTOCOL_NS)
    ET.register_namespace("saml", ASSERTION_NS)
    issued = saml_instant(now)
    until = saml_instant(now + timedelta(seconds=not_on_or_after_seconds))
    response_attrs = {"ID": "_" + new_id(), "Version": "2.0", "IssueInstant": issued}
    if in_response_to:
        response_attrs["InResponseTo"] = in_response_to
    response = ET.Element(_P + "Response", response_attrs)
    ET.SubElement(response, _A + "Issuer").text = issuer
    status = ET.SubElement(response, _P + "Status")
    ET.SubElement(status, _P + "StatusCode", {"Value": SUCCESS})
    assertion = ET.SubElement(
        response, _A + "Assertion", {"ID": "_" + new_id(), "Version": "2.0", "IssueInstant": issued}
    )
    ET.SubElement(assertion, _A + "Issuer").text = issuer
    subject = ET.SubElement(assertion, _A + "Subject")
    name = ET.SubElement(
        subject,
        _A + "NameID",
        {"Format": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"},
    )
    name.text = name_id
    confirmation = ET.SubElement(
        subject, _A + "SubjectConfirmation", {"Method": "urn:oasis:names:tc:SAML:2.0:cm:bearer"}
    )
    data_attrs = {"NotOnOrAfter": until, "Recipient": audience}
    if in_response_to:
        data_attrs["InResponseTo"] = in_response_to
    ET.SubElement(confirmation, _A + "SubjectConfirmationData", data_attrs)
    conditions = ET.SubElement(
        assertion, _A + "Conditions", {"NotBefore": issued, "NotOnOrAfter": until}
    )
    restriction = ET.SubElement(conditions, _A + "AudienceRestriction")
    ET.SubElement(restriction, _A + "Audience").text = audience
    statement = ET.SubElement(
        assertion, _A + "AuthnStatement", {"AuthnInstant": issued, "SessionIndex": "_" + new_id()}
    )
    context = ET.SubElement(statement, _A + "AuthnContext")
    ET.SubElement(context, _A + "AuthnContextClassRef").text = (
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
    )
    xml = ET.tostring(response, encoding="utf-8", xml_declaration=True)
    return base64.b64encode(xml).decode("ascii")


def decode_response(encoded: str) -> ET.Element:
    """Turn a (possibly URL-encoded) base64 SAMLResponse into its XML root element."""
    if len(encoded) > MAX_ENCODED_CHARS:
        raise SamlDecodeError("SAMLResponse is too large")
    text = unquote(encoded) if "%" in encoded else encoded
    text = re.sub(r"\s+", "", text)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SamlDecodeError("SAMLResponse is not valid base64") from None
    try:
        # defusedxml refuses a DTD whatever the document's encoding (UTF-16 included), so
        # entity expansion and external entities never reach the parser.
        return SafeET.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException:
        problem = "SAMLResponse must not contain a DTD or entities"
    except (ET.ParseError, ValueError):
        problem = "SAMLResponse is not well-formed XML"
    raise SamlDecodeError(problem)


def _instant(value: str | None, *, unreadable: datetime) -> datetime | None:
    """Parse an ``xs:dateTime``; an unreadable one counts as ``unreadable`` (fail closed)."""
    if value is None:
        return None
    text = value.strip().replace("Z", "+00:00")
    text = re.sub(r"(\.\d{1,6})\d*", r"\1", text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return unreadable
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def read_assertion(root: ET.Element) -> SamlAssertion | None:
    """The fields of a SAML Response, or ``None`` when the root is not a Response."""
    if root.tag != _P + "Response":
        return None
    issuer_el = root.find(_A + "Issuer")
    if issuer_el is None:
        issuer_el = root.find(f"{_A}Assertion/{_A}Issuer")
    name_el = root.find(f"{_A}Assertion/{_A}Subject/{_A}NameID")
    status_el = root.find(f"{_P}Status/{_P}StatusCode")
    data_path = f"{_A}Assertion/{_A}Subject/{_A}SubjectConfirmation/{_A}SubjectConfirmationData"
    data_els = root.findall(data_path)
    conditions = root.findall(f"{_A}Assertion/{_A}Conditions")
    in_response_to = [root.get("InResponseTo", "")]
    in_response_to += [el.get("InResponseTo", "") for el in data_els]
    earliest = datetime.min.replace(tzinfo=timezone.utc)
    latest = datetime.max.replace(tzinfo=timezone.utc)
    limits = [
        _instant(el.get("NotOnOrAfter"), unreadable=earliest) for el in [*data_els, *conditions]
    ]
    starts = [_instant(el.get("NotBefore"), unreadable=latest) for el in conditions]
    assertion_ids = [el.get("ID", "").strip() for el in root.findall(f"{_A}Assertion")]
    return SamlAssertion(
        issuer=(issuer_el.text or "").strip() if issuer_el is not None else None,
        name_id=(name_el.text or "").strip() if name_el is not None else None,
        response_id=root.get("ID", "").strip() or None,
        assertion_ids=tuple(i for i in assertion_ids if i),
        in_response_to=tuple(v for v in in_response_to if v),
        not_on_or_after=tuple(t for t in limits if t is not None),
        not_before=tuple(t for t in starts if t is not None),
        status=status_el.get("Value") if status_el is not None else None,
    )
