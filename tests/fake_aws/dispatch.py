"""One request in, one Reply out: route, authenticate, fault, authorize, serve."""
import json
import time
import traceback
import uuid

from botocore.compat import HTTPHeaders

from . import catalog, protocol, services, wire
from .errors import AwsError, generic
from .services.base import Context
from .sigv4 import parse_authorization

_ERROR_FAULTS = ("throttle", "http500", "http503", "access_denied", "expired_token")


class Dispatcher:
    def __init__(self, state, verifier, stats):
        self.state = state
        self.verifier = verifier
        self.stats = stats

    def handle(self, method, scheme, path, headers, body, conn_id=None):
        """headers: list of (name, value).  Returns a protocol.Reply."""
        request_id = str(uuid.uuid4())
        entry = {"seq": self.stats.request_started(), "time": time.time(), "connection": conn_id,
                 "service": None, "operation": None, "region": None, "account": None,
                 "access_key_id": None, "status": None, "code": None, "fault": None,
                 "unknown_params": [], "request_id": request_id}
        route = [None, catalog.QUERY if not _has_target(headers) else catalog.JSON]
        try:
            reply = self._handle(method, scheme, path, headers, body, request_id, entry, route)
        except AwsError as err:
            reply = protocol.error_reply(route[0], route[1], err, request_id)
        except Exception as exc:          # a bug in the fake: answer 500 and remember it
            text = "%s: %s\n%s" % (type(exc).__name__, exc, traceback.format_exc())
            self.stats.bug(text)
            err = AwsError("InternalFailure", "fake_aws bug: %s: %s" % (type(exc).__name__, exc), 500,
                           sender=False, modeled=False)
            reply = protocol.error_reply(route[0], route[1], err, request_id)
        entry["status"] = reply.status
        entry["code"] = entry["code"] or reply.code
        self.stats.finish(entry)
        return reply

    # ------------------------------------------------------------------ steps

    def _route(self, path, hdr, body):
        """(service, protocol, json operation or None)."""
        target = hdr.get("X-Amz-Target")
        if target:
            prefix, _, op = target.rpartition(".")
            service = catalog.BY_TARGET_PREFIX.get(prefix)
            if service is None:
                raise AwsError("UnknownOperationException", "", 400, modeled=False)
            return service, catalog.JSON, op
        service = None
        auth = hdr.get("Authorization")
        if auth:
            try:
                service = catalog.BY_SIGNING_NAME.get(parse_authorization(auth).service)
            except ValueError:
                service = None
        if service is None:
            # unsigned or unreadable: guess from Version so the error looks right
            try:
                version = _form(hdr, body).get("Version")
            except UnicodeDecodeError:
                version = None
            service = next((s for s in catalog.SERVICES.values() if s.version and s.version == version), None)
            if service is None:
                raise AwsError("MissingAuthenticationToken" if not auth else "IncompleteSignature",
                               "Request is missing Authentication Token" if not auth else
                               "Authorization header could not be read: %s" % auth, 403 if not auth else 400,
                               modeled=False)
        if service.protocol == catalog.JSON:
            return service, catalog.JSON, None
        return service, catalog.QUERY, None

    def _handle(self, method, scheme, path, headers, body, request_id, entry, route):
        """route: [service, protocol], filled in as soon as they are known (for errors)."""
        hdr = HTTPHeaders()
        for name, value in headers:
            hdr[name] = value
        service, proto, json_op = self._route(path, hdr, body)
        route[:] = [service, proto]
        entry["service"] = service.name
        if method != "POST" or path.split("?", 1)[0] != "/":
            raise generic("unknown_operation", service, "fake: only POST / is served")
        if proto == catalog.JSON and json_op is None:
            raise generic("unknown_operation", service, "")

        try:
            auth = self.verifier.verify(service, method, scheme, path, headers, body)
        except AwsError as err:
            self.stats.rejected(err.code)
            raise
        entry.update(region=auth.region, account=auth.key.account, access_key_id=auth.key_id)

        op, params, raw = self._operation(service, proto, json_op, hdr, body, entry)
        return self._serve(service, proto, op, params, raw, auth, request_id, entry)

    def _operation(self, service, proto, json_op, hdr, body, entry):
        """(operation, parsed params, raw JSON body or None)."""
        if proto == catalog.JSON:
            op = json_op
            entry["operation"] = op
            op_model = wire.operation_model(service, op)
            if op_model is None or services.handler(service.name, op) is None:
                raise generic("unknown_operation", service, "")
            ctype = (hdr.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype not in ("application/x-amz-json-1.1", "application/x-amz-json-1.0"):
                raise generic("serialization", service, "fake: Content-Type must be application/x-amz-json-1.1, "
                              "got '%s'" % ctype)
            params, unknown = wire.from_json(op_model.input_shape, body)
            raw = json.loads(body.decode("utf-8")) if body.strip() else {}
        else:
            try:
                form = _form(hdr, body)
            except UnicodeDecodeError:
                raise generic("serialization", service, "fake: form body is not UTF-8")
            op = form.pop("Action", None)
            version = form.pop("Version", None)
            entry["operation"] = op
            if not op:
                raise generic("missing_action", service, "Missing Action")
            op_model = wire.operation_model(service, op)
            if version != service.version or op_model is None or services.handler(service.name, op) is None:
                raise generic("unknown_operation", service,
                              "Could not find operation %s for version %s" % (op, version))
            code, _, _ = catalog.generic("validation", service)
            params, unknown = wire.from_query(op_model.input_shape, form, code)
            raw = None
        self.stats.operation(op)
        entry["unknown_params"] = unknown
        return op, params, raw

    def _serve(self, service, proto, op, params, raw, auth, request_id, entry):
        account, region = auth.key.account, auth.region
        ctx = Context(self.state, service, op, auth.key, region, request_id)

        rule = self.state.faults.take(service.name, op, account, region)
        if rule is not None:
            entry["fault"] = rule.fault
            self.stats.fault()
            if rule.fault in _ERROR_FAULTS:
                message = rule.message
                if rule.fault == "access_denied" and message is None:
                    message = _denied_message(service, op, auth.key, services.resource(service.name, op, ctx, params))
                raise generic(rule.fault, service, message, code=rule.code, status=rule.status)
            if rule.fault == "delay":
                time.sleep(rule.delay_ms / 1000.0)
            if rule.fault == "invalid_body":
                ctype = protocol.XML_CONTENT_TYPE if proto == catalog.QUERY else protocol.JSON_CONTENT_TYPE
                return protocol.Reply(200, [("x-amzn-RequestId", request_id), ("Content-Type", ctype)],
                                      protocol.garbage(proto, op))

        if services.needs_authz(service.name, op):
            resource = services.resource(service.name, op, ctx, params)
            if self.state.is_denied(account, service.name, op, region, resource):
                raise generic("access_denied", service, _denied_message(service, op, auth.key, resource))

        handler = services.handler(service.name, op)
        result = handler(ctx, params, raw) if services.wants_raw(service.name, op) else handler(ctx, params)
        op_model = wire.operation_model(service, op)
        shape = op_model.output_shape
        if proto == catalog.JSON:
            reply = protocol.json_reply(wire.to_json(shape, result) if shape is not None else "{}", request_id)
        else:
            inner = wire.to_xml(shape, result, iso_millis=service.iso_millis, depth=2) if shape is not None else ""
            reply = protocol.query_reply(service, op, inner, request_id)

        if rule is not None and rule.fault == "oversize":
            reply.body = protocol.pad(proto, reply.body, rule.size_mb)
        if rule is not None and rule.fault in ("reset", "truncate"):
            reply.action = rule.fault
        return reply


def _form(hdr, body):
    ctype = (hdr.get("Content-Type") or "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        return {}
    return wire.parse_form(body)


def _denied_message(service, op, key, resource):
    action = "%s:%s" % (service.action_prefix, op)
    return ("User: %s is not authorized to perform: %s on resource: %s because no identity-based policy "
            "allows the %s action" % (key.arn, action, resource, action))


def _has_target(headers):
    return any(name.lower() == "x-amz-target" for name, _ in headers)
