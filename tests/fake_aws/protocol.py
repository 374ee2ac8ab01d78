"""Envelopes: how a reply or an error looks on the wire, per protocol."""
import json
from xml.sax.saxutils import escape

from . import catalog

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
XML_CONTENT_TYPE = "text/xml"


class Reply:
    """An HTTP answer.  ``action`` is None, or a wire fault to apply
    when sending it ("reset", "truncate")."""

    def __init__(self, status, headers, body, *, code=None, action=None):
        self.status = status
        self.headers = headers          # list of (name, value); Content-Length added when sent
        self.body = body                # bytes
        self.code = code                # error code, for the log
        self.action = action


def json_reply(body_text, request_id, status=200):
    return Reply(status, [("x-amzn-RequestId", request_id), ("Content-Type", JSON_CONTENT_TYPE)],
                 body_text.encode("utf-8"))


def json_error(service, err, request_id):
    # Modeled errors use the service's conventions (CloudTrail: qualified
    # __type and "Message"); framework errors (auth, throttling) are bare
    # with "message" everywhere.
    modeled = err.modeled and service is not None
    body = {"__type": (service.type_prefix if modeled else "") + err.code,
            (service.message_key if modeled else "message"): err.message}
    reply = json_reply(json.dumps(body, ensure_ascii=False, separators=(",", ":")), request_id, err.status)
    reply.code = err.code
    return reply


def _xml_head(service):
    # SNS starts its replies with an XML declaration; CloudWatch and STS do not.
    return '<?xml version="1.0"?>\n' if service.name == "sns" else ""


def query_reply(service, operation, result_xml, request_id, status=200):
    if result_xml:
        result = "\n  <%sResult>%s\n  </%sResult>" % (operation, result_xml, operation)
    else:
        result = ""
    text = ('%s<%sResponse xmlns="%s">%s\n  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n'
            '  </ResponseMetadata>\n</%sResponse>\n'
            % (_xml_head(service), operation, service.xmlns, result, request_id, operation))
    return Reply(status, [("x-amzn-RequestId", request_id), ("Content-Type", XML_CONTENT_TYPE)],
                 text.encode("utf-8"))


def query_error(service, err, request_id):
    xmlns = ' xmlns="%s"' % service.xmlns if service is not None else ""
    text = ('%s<ErrorResponse%s>\n  <Error>\n    <Type>%s</Type>\n    <Code>%s</Code>\n'
            '    <Message>%s</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n</ErrorResponse>\n'
            % (_xml_head(service) if service else "", xmlns, "Sender" if err.sender else "Receiver",
               escape(err.code), escape(err.message), request_id))
    return Reply(err.status, [("x-amzn-RequestId", request_id), ("Content-Type", XML_CONTENT_TYPE)],
                 text.encode("utf-8"), code=err.code)


def error_reply(service, protocol, err, request_id):
    if protocol == catalog.QUERY:
        return query_error(service, err, request_id)
    return json_error(service, err, request_id)


def garbage(protocol, operation):
    """A 200 body that is not valid JSON / XML (fault invalid_body)."""
    if protocol == catalog.QUERY:
        return ("<%sResponse><%sResult><member><Name>half</Na\x00me></%sResult"
                % (operation, operation, operation)).encode()
    return b'{"trailList":[{"Name":"half",,"IsLogging":tru'


def pad(protocol, body, size_mb):
    """A syntactically valid reply grown to about size_mb MiB (fault oversize)."""
    filler = "x" * max(0, int(size_mb * 1024 * 1024) - len(body))
    if protocol == catalog.QUERY:
        text = body.decode("utf-8")
        at = text.index(">", text.index("Response")) + 1
        return (text[:at] + "<!--" + filler + "-->" + text[at:]).encode("utf-8")
    return b'{"fakePadding":"' + filler.encode() + b'",' + body[1:] if body != b"{}" \
        else b'{"fakePadding":"' + filler.encode() + b'"}'
