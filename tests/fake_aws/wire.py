"""Model-driven (de)serialization, using botocore's service models.

Handlers return plain dicts named as in the model's output shape; this module
turns them into JSON 1.1 or Query XML in model member order, and refuses
members the model does not know (a bug in the fake, not in the client).
Requests are parsed into dicts with the model's input shape and validated
(required, length, range, enum, simple patterns) the way AWS's front end does.
"""
import json
import re
import threading
from xml.sax.saxutils import escape

import botocore.session

from . import timeutil
from .errors import AwsError

_lock = threading.Lock()
_session = None
_models = {}


def service_model(botocore_name):
    global _session
    with _lock:
        if botocore_name not in _models:
            if _session is None:
                _session = botocore.session.get_session()
            _models[botocore_name] = _session.get_service_model(botocore_name)
        return _models[botocore_name]


def operation_model(service, operation):
    """botocore OperationModel, or None for an unknown operation."""
    model = service_model(service.botocore_name)
    if operation not in model.operation_names:
        return None
    return model.operation_model(operation)


class FakeBug(Exception):
    """The fake produced something the model does not allow."""


# --------------------------------------------------------------------------- output: JSON

def to_json(shape, value):
    """Serialize ``value`` as ``shape`` (JSON 1.1); returns str."""
    return _json_value(shape, value, shape.name)


def _json_value(shape, value, path):
    t = shape.type_name
    if t == "structure":
        unknown = set(value) - set(shape.members)
        if unknown:
            raise FakeBug("%s: members not in model: %s" % (path, sorted(unknown)))
        parts = []
        for name, member in shape.members.items():
            if value.get(name) is None:
                continue
            key = member.serialization.get("name", name)
            parts.append(json.dumps(key) + ":" + _json_value(member, value[name], path + "." + name))
        return "{" + ",".join(parts) + "}"
    if t == "list":
        return "[" + ",".join(_json_value(shape.member, v, path + "[]") for v in value) + "]"
    if t == "map":
        return "{" + ",".join(json.dumps(str(k)) + ":" + _json_value(shape.value, v, path + "{}")
                              for k, v in value.items()) + "}"
    if t == "timestamp":
        # Coral sends epoch seconds with millisecond precision: 1.568047466588E9
        return timeutil.java_double(round(timeutil.to_epoch(value), 3))
    if t == "boolean":
        if not isinstance(value, bool):
            raise FakeBug("%s: boolean expected, got %r" % (path, value))
        return "true" if value else "false"
    if t in ("integer", "long"):
        return str(int(value))
    if t in ("double", "float"):
        return timeutil.java_double(value)
    if t == "string":
        return json.dumps(str(value), ensure_ascii=False)
    raise FakeBug("%s: unsupported type %s" % (path, t))


# --------------------------------------------------------------------------- output: XML

def to_xml(shape, value, *, iso_millis=True, depth=0):
    """Serialize the members of structure ``value`` (no wrapper element),
    indented two spaces per level from ``depth`` as AWS's Query replies are."""
    out = []
    _xml_members(shape, value, out, shape.name, iso_millis, depth)
    return "".join(out)


def _nl(depth):
    return "\n" + "  " * depth


def _xml_members(shape, value, out, path, iso_millis, depth):
    unknown = set(value) - set(shape.members)
    if unknown:
        raise FakeBug("%s: members not in model: %s" % (path, sorted(unknown)))
    for name, member in shape.members.items():
        if value.get(name) is None:
            continue
        tag = member.serialization.get("name", name)
        _xml_element(member, tag, value[name], out, path + "." + name, iso_millis, depth)


def _xml_element(shape, tag, value, out, path, iso_millis, depth):
    t = shape.type_name
    out.append(_nl(depth))
    if t == "structure":
        out.append("<%s>" % tag)
        _xml_members(shape, value, out, path, iso_millis, depth + 1)
        out.append(_nl(depth) + "</%s>" % tag)
    elif t == "list":
        if not value:
            out.append("<%s/>" % tag)       # empty lists are present: <AlarmActions/>
            return
        item_tag = shape.member.serialization.get("name", "member")
        out.append("<%s>" % tag)
        for item in value:
            _xml_element(shape.member, item_tag, item, out, path + "[]", iso_millis, depth + 1)
        out.append(_nl(depth) + "</%s>" % tag)
    elif t == "map":
        out.append("<%s>" % tag)
        for k, v in value.items():
            out.append(_nl(depth + 1) + "<entry>" + _nl(depth + 2) + "<key>%s</key>" % escape(str(k)))
            _xml_element(shape.value, "value", v, out, path + "{}", iso_millis, depth + 2)
            out.append(_nl(depth + 1) + "</entry>")
        out.append(_nl(depth) + "</%s>" % tag)
    else:
        out.append("<%s>%s</%s>" % (tag, _xml_scalar(shape, value, path, iso_millis), tag))


def _xml_scalar(shape, value, path, iso_millis):
    t = shape.type_name
    if t == "boolean":
        if not isinstance(value, bool):
            raise FakeBug("%s: boolean expected, got %r" % (path, value))
        return "true" if value else "false"
    if t == "timestamp":
        return timeutil.iso8601(timeutil.to_epoch(value), millis=iso_millis)
    if t in ("integer", "long"):
        return str(int(value))
    if t in ("double", "float"):
        return repr(float(value))
    if t == "string":
        return escape(str(value))
    raise FakeBug("%s: unsupported type %s" % (path, t))


# --------------------------------------------------------------------------- input: JSON

class _Parse:
    def __init__(self):
        self.unknown = []       # member paths the model does not know (AWS ignores them)
        self.problems = []      # validation messages (ValidationException)


def from_json(shape, body):
    """Parse a JSON 1.1 request body.  Returns (params, unknown_paths).

    Raises AwsError(SerializationException) on bad JSON or types, and
    AwsError(ValidationException) on constraint violations.
    """
    if body.strip() == b"":
        obj = {}
    else:
        try:
            obj = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise AwsError("SerializationException", "Start of structure or map found where not expected. (%s)" % exc,
                           modeled=False)
    if not isinstance(obj, dict):
        raise AwsError("SerializationException", "Request body must be a JSON object", modeled=False)
    if shape is None:
        return {}, sorted(obj)
    st = _Parse()
    params = _from_json_value(shape, obj, "", st)
    _raise_problems(st, "ValidationException")
    return params, st.unknown


def _from_json_value(shape, value, path, st):
    t = shape.type_name
    where = path or shape.name

    def bad(expected):
        raise AwsError("SerializationException",
                       "%s can not be converted to %s (at '%s')" % (_json_kind(value), expected, where),
                       modeled=False)

    if t == "structure":
        if not isinstance(value, dict):
            bad("a structure")
        out = {}
        for key, v in value.items():
            if key not in shape.members:
                st.unknown.append(_join(path, key))
                continue
            if v is None:
                continue
            out[key] = _from_json_value(shape.members[key], v, _join(path, key), st)
        _check_struct(shape, out, path, st)
        return out
    if t == "list":
        if not isinstance(value, list):
            bad("a list")
        out = [_from_json_value(shape.member, v, "%s.%d.member" % (where, i + 1), st)
               for i, v in enumerate(value)]
        _check_length(shape, len(out), where, st, "length")
        return out
    if t == "map":
        if not isinstance(value, dict):
            bad("a map")
        return {k: _from_json_value(shape.value, v, where + "." + k, st) for k, v in value.items()}
    if t == "string":
        if not isinstance(value, str):
            bad("a String")
        _check_string(shape, value, where, st)
        return value
    if t == "boolean":
        if not isinstance(value, bool):
            bad("a Boolean")
        return value
    if t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            bad("an Integer" if t == "integer" else "a Long")
        _check_range(shape, value, where, st)
        return value
    if t in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            bad("a Double")
        return float(value)
    if t == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            bad("a Date (epoch seconds)")
        return float(value)
    return value


def _json_kind(value):
    if isinstance(value, str):
        return "STRING_VALUE"
    if isinstance(value, bool):
        return "VALUE_TRUE" if value else "VALUE_FALSE"
    if isinstance(value, (int, float)):
        return "VALUE_NUMBER"
    if isinstance(value, list):
        return "START_ARRAY"
    if isinstance(value, dict):
        return "START_OBJECT"
    return "VALUE_NULL"


# --------------------------------------------------------------------------- input: Query

def parse_form(body):
    """application/x-www-form-urlencoded body -> dict (UnicodeDecodeError if not UTF-8).

    Keys are unique in Query; a repeated key keeps the last value.
    """
    from urllib.parse import unquote_plus
    params = {}
    text = body.decode("utf-8", errors="strict") if body else ""
    for pair in text.split("&"):
        if not pair:
            continue
        key, sep, value = pair.partition("=")
        params[unquote_plus(key)] = unquote_plus(value)
    return params


def from_query(shape, params, validation_code):
    """Query params (already without Action/Version) -> (params, unknown keys)."""
    st = _Parse()
    used = set()
    out = _from_query_struct(shape, params, "", used, st) if shape is not None else {}
    _raise_problems(st, validation_code)
    unknown = sorted(k for k in params if k not in used)
    return out, unknown


def _from_query_struct(shape, params, prefix, used, st):
    out = {}
    for name, member in shape.members.items():
        key = prefix + member.serialization.get("name", name)
        v = _from_query_value(member, params, key, used, st)
        if v is not None:
            out[name] = v
    _check_struct(shape, out, prefix.rstrip("."), st)
    return out


def _from_query_value(shape, params, key, used, st):
    t = shape.type_name
    if t == "structure":
        if not any(k.startswith(key + ".") for k in params):
            return None
        return _from_query_struct(shape, params, key + ".", used, st)
    if t == "list":
        flattened = shape.serialization.get("flattened")
        item_prefix = key if flattened else key + "." + shape.member.serialization.get("name", "member")
        if key in params and params[key] == "" and not flattened:
            used.add(key)           # "Name=" is how an empty list is sent
            return []
        items = []
        i = 1
        while True:
            item_key = "%s.%d" % (item_prefix, i)
            v = _from_query_value(shape.member, params, item_key, used, st)
            if v is None:
                break
            items.append(v)
            i += 1
        if not items:
            return None
        _check_length(shape, len(items), key, st, "length")
        return items
    if t == "map":
        raise FakeBug("Query maps are not needed by these operations")
    if key not in params:
        return None
    used.add(key)
    raw = params[key]
    if t == "string":
        _check_string(shape, raw, key, st)
        return raw
    if t == "boolean":
        if raw not in ("true", "false"):
            st.problems.append("Value '%s' at '%s' failed to satisfy constraint: Member must be a boolean" % (raw, key))
            return None
        return raw == "true"
    if t in ("integer", "long"):
        try:
            v = int(raw)
        except ValueError:
            st.problems.append("Value '%s' at '%s' failed to satisfy constraint: Member must be a number" % (raw, key))
            return None
        _check_range(shape, v, key, st)
        return v
    if t in ("double", "float"):
        try:
            return float(raw)
        except ValueError:
            st.problems.append("Value '%s' at '%s' failed to satisfy constraint: Member must be a number" % (raw, key))
            return None
    if t == "timestamp":
        try:
            return timeutil.to_epoch(raw)
        except ValueError:
            st.problems.append("Value '%s' at '%s' failed to satisfy constraint: Member must be a timestamp" % (raw, key))
            return None
    return raw


# --------------------------------------------------------------------------- validation

def _join(path, key):
    return key if not path else path + "." + key


def _camel(path):
    """Coral names members lowerCamel in messages: 'Evaluations.1.member.Annotation'
    -> 'evaluations.1.member.annotation'."""
    return ".".join(p[:1].lower() + p[1:] for p in path.split("."))


def _check_struct(shape, out, path, st):
    for req in shape.required_members:
        if req not in out:
            st.problems.append("Value null at '%s' failed to satisfy constraint: Member must not be null"
                               % _camel(_join(path, req)))


def _check_length(shape, n, where, st, what):
    lo, hi = shape.metadata.get("min"), shape.metadata.get("max")
    if lo is not None and n < lo:
        st.problems.append("Value at '%s' failed to satisfy constraint: Member must have %s greater than or equal to %d"
                           % (_camel(where), what, lo))
    if hi is not None and n > hi:
        st.problems.append("Value at '%s' failed to satisfy constraint: Member must have %s less than or equal to %d"
                           % (_camel(where), what, hi))


def _check_range(shape, v, where, st):
    lo, hi = shape.metadata.get("min"), shape.metadata.get("max")
    if lo is not None and v < lo:
        st.problems.append("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d"
                           % (v, _camel(where), lo))
    if hi is not None and v > hi:
        st.problems.append("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d"
                           % (v, _camel(where), hi))


_pattern_cache = {}


def _pattern(text):
    # Java-only constructs (\p{..}, \uXXXX) are skipped rather than misread.
    if text is None or "\\p" in text or "\\u" in text:
        return None
    if text not in _pattern_cache:
        try:
            _pattern_cache[text] = re.compile(text)
        except re.error:
            _pattern_cache[text] = None
    return _pattern_cache[text]


def _check_string(shape, value, where, st):
    lo, hi = shape.metadata.get("min"), shape.metadata.get("max")
    if lo is not None and len(value) < lo:
        st.problems.append("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d"
                           % (value, _camel(where), lo))
    if hi is not None and len(value) > hi:
        st.problems.append("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d"
                           % (value[:64] + "...", _camel(where), hi))
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        st.problems.append("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]"
                           % (value, _camel(where), ", ".join(enum)))
    pat = _pattern(shape.metadata.get("pattern"))
    if pat is not None and not pat.fullmatch(value):
        st.problems.append("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s"
                           % (value, _camel(where), shape.metadata.get("pattern")))


def _raise_problems(st, code):
    if st.problems:
        n = len(st.problems)
        msg = "%d validation error%s detected: %s" % (n, "" if n == 1 else "s", "; ".join(st.problems))
        raise AwsError(code, msg, 400, modeled=False, kind="validation")
