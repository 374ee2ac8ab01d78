"""Template checks: template.yaml (SAM) and member-role.yaml.

- Structure: the function (provided.al2023, Architecture parameter arm64 |
  x86_64 defaulting to arm64, CodeUri . + BuildMethod makefile, 128 MB,
  30 s <= Timeout <= 900 s, logging), the account Config rule (custom Lambda,
  periodic + change triggers, scope), its Lambda permission (config.amazonaws.com
  with SourceAccount), the organization variant (OrganizationConfigRule, its
  InputParameters JSON string, its permission), the optional EventBridge
  schedule and process-check rule, outputs; each optional part is checked
  present or absent per parameter set by evaluating the template's Conditions.
- IAM == code: the AWS operations the C sources can call are derived by parsing
  src/ (every tw_aws_call_init(...) call, directly or through a wrapper such as
  collect.c's s_job_init, its TW_SVC_* service mapped to an IAM prefix through
  the service table in src/endpoint.c); the function role's actions must equal
  them per variant (base, process check, organization, both), and the member
  role's must equal the reads plus config:PutEvaluations.
- Linters: the npm cfn-lint pinned in package.json (installed with `npm ci` when
  node_modules is missing; skipped only when npm is missing too) on member-role.yaml
  and on a plain-CloudFormation view of template.yaml per variant (see
  LINT_VIEW_GAPS: the constructs that 2019 linter does not know, which the
  checks above cover instead); AWS's Python cfn-lint on both files when it is
  installed.
Run from the repo root:
    /usr/bin/python3 -m unittest -v tests.it_template
"""

import copy
import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import unittest

import yaml  # Debian python3-yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
MEMBER_ROLE = ROOT / "member-role.yaml"
NPM_CFN_LINT = ROOT / "node_modules" / ".bin" / "cfn-lint"

FUNCTION = "TrailwatchFunction"
FUNCTION_ROLE = "TrailwatchFunctionRole"
LOG_GROUP = "TrailwatchLogGroup"
ACCOUNT_RULE = "TrailwatchRule"
ORG_RULE = "TrailwatchOrganizationRule"
MEMBER_ROLE_RESOURCE = "TrailwatchMemberRole"

RESOURCE_TYPES = ["AWS::CloudTrail::Trail", "AWS::CloudWatch::Alarm", "AWS::SNS::Topic"]
MESSAGE_TYPES = {"ScheduledNotification", "ConfigurationItemChangeNotification",
                 "OversizedConfigurationItemChangeNotification"}

# The IAM service prefix is the SigV4 signing name of src/endpoint.c's table
# except where IAM chose another name: CloudWatch signs as "monitoring".
IAM_PREFIX_EXCEPTIONS = {"monitoring": "cloudwatch"}

# Operations the code calls only behind an option: the template must grant
# them only under that condition, and the C function that makes the call
# must read the option (so the gate cannot drift from the code).
GATES = {
    "config:PutExternalEvaluation": ("HasProcessCheck", "TRAILWATCH_CONFIG_RULE_NAME"),
    "sts:AssumeRole": ("IsOrganization", "execution_role_name"),
}

# Not code calls: what the Lambda service needs to write the function's logs
# (policy LambdaLogs of the function role, on its own log group only).
LAMBDA_LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}

VARIANTS = {
    "base": {},
    "process-check": {"ProcessCheckRuleName": "trailwatch-process-check"},
    "organization": {"OrganizationRule": "true"},
    "organization+process-check": {"OrganizationRule": "true",
                                   "ProcessCheckRuleName": "trailwatch-process-check"},
}

# What the plain-CloudFormation view given to the npm cfn-lint (1.9.7, a 2019
# resource specification, SAM support that cannot check Role or Environment)
# leaves out or rewrites, and which test here checks it instead.
LINT_VIEW_GAPS = {
    ("Transform",): "SAM transform: the function is linted as the AWS::Lambda::Function "
                    "SAM makes of it (test_function)",
    ("Resources", FUNCTION, "Metadata"): "sam build's BuildMethod (test_function)",
    ("Resources", FUNCTION, "Properties", "CodeUri"): "SAM only (test_function)",
    ("Resources", FUNCTION, "Properties", "Architectures"): "newer than its spec (test_function)",
    ("Resources", FUNCTION, "Properties", "LoggingConfig"): "newer than its spec (test_logging)",
    ("Resources", ORG_RULE): "AWS::Config::OrganizationConfigRule is newer than its spec "
                             "(test_organization_rule)",
    ("Outputs", "OrganizationConfigRuleName"): "refers to the organization rule (test_outputs)",
}


# --- CloudFormation YAML ------------------------------------------------------

class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags, turned into their long forms."""


def _short_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {"Fn::" + suffix: value}


CfnLoader.add_multi_constructor("!", _short_tag)


def load_template(path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=CfnLoader)


NO_VALUE = object()


class Variant:
    """The template as CloudFormation would create it for one parameter set."""

    def __init__(self, template, overrides):
        self.t = template
        self.params = {name: str(p.get("Default", "")) for name, p in template["Parameters"].items()}
        unknown = set(overrides) - set(self.params)
        if unknown:
            raise AssertionError("unknown parameters %s" % sorted(unknown))
        self.params.update(overrides)
        self.conditions = {}
        for name in template.get("Conditions", {}):
            self.condition(name)

    def condition(self, name):
        if name not in self.conditions:
            self.conditions[name] = self._cond(self.t["Conditions"][name])
        return self.conditions[name]

    def _cond(self, node):
        (fn, arg), = node.items()
        if fn == "Condition":
            return self.condition(arg)
        if fn == "Fn::Equals":
            return self.value(arg[0]) == self.value(arg[1])
        if fn == "Fn::Not":
            return not self._cond(arg[0])
        if fn == "Fn::And":
            return all(self._cond(a) for a in arg)
        if fn == "Fn::Or":
            return any(self._cond(a) for a in arg)
        raise AssertionError("condition function %s" % fn)

    def value(self, node):
        """Resolves Fn::If (dropping AWS::NoValue) and Ref to parameters."""
        if isinstance(node, dict):
            if set(node) == {"Fn::If"}:
                cond, yes, no = node["Fn::If"]
                return self.value(yes if self.condition(cond) else no)
            if set(node) == {"Ref"} and node["Ref"] == "AWS::NoValue":
                return NO_VALUE
            if set(node) == {"Ref"} and node["Ref"] in self.params:
                return self.params[node["Ref"]]
            out = {}
            for k, v in node.items():
                v = self.value(v)
                if v is not NO_VALUE:
                    out[k] = v
            return out
        if isinstance(node, list):
            return [v for v in (self.value(x) for x in node) if v is not NO_VALUE]
        return node

    def resources(self):
        return {name: self.value(r) for name, r in self.t["Resources"].items()
                if "Condition" not in r or self.condition(r["Condition"])}

    def outputs(self):
        return {name: self.value(o) for name, o in self.t.get("Outputs", {}).items()
                if "Condition" not in o or self.condition(o["Condition"])}

    def sub(self, node):
        """Fn::Sub of a one-string argument over the parameters."""
        self_ = self

        def repl(m):
            return self_.params[m.group(1)]
        return re.sub(r"\$\{([A-Za-z0-9]+)\}", repl, node["Fn::Sub"])


def as_list(x):
    return x if isinstance(x, list) else [x]


def statements(doc):
    return as_list(doc["Statement"])


def actions_of(stmts):
    acts = set()
    for s in stmts:
        if s.get("Effect") != "Allow" or "NotAction" in s:
            raise AssertionError("only Allow statements with Action: %r" % s)
        acts.update(as_list(s["Action"]))
    return acts


# --- The C sources ------------------------------------------------------------

_LEXEME = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*'
                     r'|^[ \t]*#(?:[^\n]*\\\n)*[^\n]*', re.S | re.M)


def strip_c(src):
    """Comments and preprocessor lines blanked (newlines kept), strings kept."""
    def blank(m):
        s = m.group(0)
        if s[0] in "\"'":
            return s
        return re.sub(r"[^\n]", " ", s)
    return _LEXEME.sub(blank, src)


def _skip_literal(src, i):
    q = src[i]
    i += 1
    while src[i] != q:
        i += 2 if src[i] == "\\" else 1
    return i


def _match(src, i, open_, close):
    """Index of the bracket closing the one at src[i]."""
    depth = 0
    while True:
        c = src[i]
        if c in "\"'":
            i = _skip_literal(src, i)
        elif c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i
        i += 1


def _match_back(src, i, open_, close):
    depth = 0
    while True:
        c = src[i]
        if c == close:
            depth += 1
        elif c == open_:
            depth -= 1
            if depth == 0:
                return i
        i -= 1


def split_args(text):
    """Top-level comma split of an argument or parameter list."""
    out, depth, cur, i = [], 0, "", 0
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j = _skip_literal(text, i)
            cur += text[i:j + 1]
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    if cur.strip():
        out.append(cur.strip())
    return out


def c_functions(src):
    """(name, [parameter names], body) of each function defined in src."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if c in "\"'":
            i = _skip_literal(src, i) + 1
            continue
        if c != "{":
            i += 1
            continue
        end = _match(src, i, "{", "}")
        j = i - 1
        while j >= 0 and src[j].isspace():
            j -= 1
        if j >= 0 and src[j] == ")":
            start = _match_back(src, j, "(", ")")
            m = re.search(r"(\w+)\s*$", src[:start])
            params = [re.findall(r"\w+", p)[-1] for p in split_args(src[start + 1:j])
                      if p not in ("void", "...") and re.findall(r"\w+", p)]
            if m:
                out.append((m.group(1), params, src[i:end + 1]))
        i = end + 1
    return out


def c_calls(body, name):
    """The argument lists of every call of `name` in body."""
    calls = []
    for m in re.finditer(r"\b%s\s*\(" % re.escape(name), body):
        start = m.end() - 1
        calls.append(split_args(body[start + 1:_match(body, start, "(", ")")]))
    return calls


class CodeOperations:
    """The AWS operations src/ can call, found by parsing it."""

    CALL = "tw_aws_call_init"   # (call, enum tw_service, region, "Operation")

    def __init__(self, root=ROOT):
        header = strip_c((root / "include" / "endpoint.h").read_text())
        enum = re.search(r"enum\s+tw_service\s*\{(.*?)\}", header, re.S).group(1)
        self.services = [s for s in re.findall(r"\b(TW_SVC_\w+)", enum) if s != "TW_SVC_COUNT"]
        table = (root / "src" / "endpoint.c").read_text()
        self.signing = {m.group(1): m.group(4) for m in re.finditer(
            r'\[(TW_SVC_\w+)\]\s*=\s*\{\s*\{\s*"([^"]*)",\s*"([^"]*)",\s*"([^"]*)"', table)}
        self.functions = []   # (file, name, params, body)
        for path in sorted((root / "src").glob("*.[ch]")):
            src = strip_c(path.read_text())
            self.functions += [(path.name, *f) for f in c_functions(src)]
        self.wrappers = self._wrappers()
        self.sites = self._sites()

    def iam_prefix(self, svc):
        name = self.signing[svc]
        return IAM_PREFIX_EXCEPTIONS.get(name, name)

    def _wrappers(self):
        """Functions that pass their own parameters on as service and
        operation: name -> (service index, operation index), to a fixpoint."""
        wrappers = {self.CALL: (1, 3)}
        changed = True
        while changed:
            changed = False
            for _, name, params, body in self.functions:
                if name in wrappers:
                    continue
                for callee, (si, oi) in list(wrappers.items()):
                    for args in c_calls(body, callee):
                        if len(args) > max(si, oi) and args[si] in params and args[oi] in params:
                            wrappers[name] = (params.index(args[si]), params.index(args[oi]))
                            changed = True
        return wrappers

    def _sites(self):
        """(file, function, service enum, operation, body) per call site."""
        sites = []
        for fname, name, params, body in self.functions:
            for callee, (si, oi) in self.wrappers.items():
                for args in c_calls(body, callee):
                    if name in self.wrappers and args[si] in params and args[oi] in params:
                        continue  # the wrapper forwarding its own parameters
                    where = "%s:%s() calling %s" % (fname, name, callee)
                    svc = args[si]
                    if not re.fullmatch(r"TW_SVC_\w+", svc):
                        raise AssertionError("%s: service %r is not a TW_SVC_* constant" % (where, svc))
                    for op in self._operations(args[oi], body, where):
                        sites.append((fname, name, svc, op, body))
        return sites

    @staticmethod
    def _operations(arg, body, where):
        m = re.fullmatch(r'"([^"]*)"', arg)
        if m:
            return [m.group(1)]
        # An expression: the string literals assigned to it in the same
        # function; only operation-shaped ones (d->target = "none" is not).
        found = re.findall(r"(?<![\w>.])%s\s*=\s*\"([^\"]*)\"" % re.escape(arg), body)
        ops = [v for v in found if re.fullmatch(r"[A-Z][A-Za-z0-9]+", v)]
        if not ops:
            raise AssertionError("%s: cannot resolve operation %r to string literals" % (where, arg))
        return ops

    def actions(self):
        return {"%s:%s" % (self.iam_prefix(svc), op) for _, _, svc, op, _ in self.sites}


# --- helpers -------------------------------------------------------------------

def function_role_actions(variant):
    """Actions the function role gets in one variant, logs policy apart."""
    res = variant.resources()
    role = res[FUNCTION_ROLE]["Properties"]
    if "ManagedPolicyArns" in role:
        raise AssertionError("the function role must not use managed policies")
    audit, logs = set(), None
    for pol in role.get("Policies", []):
        stmts = statements(pol["PolicyDocument"])
        if pol["PolicyName"] == "LambdaLogs":
            logs = stmts
        else:
            audit |= actions_of(stmts)
    for name, r in res.items():
        if r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::RolePolicy"):
            roles = r["Properties"].get("Roles") or [r["Properties"].get("RoleName")]
            if {"Ref": FUNCTION_ROLE} in roles:
                audit |= actions_of(statements(r["Properties"]["PolicyDocument"]))
        if r["Type"] == "AWS::IAM::ManagedPolicy":
            raise AssertionError("%s: no managed policies" % name)
    return audit, logs


def _delete(doc, path):
    node = doc
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]


def _has(doc, path):
    node = doc
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def lint_view(template):
    """template.yaml as the npm cfn-lint can check it: the function as the
    AWS::Lambda::Function SAM makes of it, without LINT_VIEW_GAPS."""
    view = copy.deepcopy(template)
    for path in LINT_VIEW_GAPS:
        _delete(view, path)
    fn = view["Resources"][FUNCTION]
    assert fn["Type"] == "AWS::Serverless::Function"
    fn["Type"] = "AWS::Lambda::Function"
    fn["Properties"]["Code"] = {"S3Bucket": "sam-artifacts", "S3Key": "trailwatch.zip"}
    return view


def npm_cfn_lint():
    """The pinned npm cfn-lint, installed from package-lock.json if needed;
    None when node_modules is missing and npm is not there to make it."""
    if NPM_CFN_LINT.exists():
        return NPM_CFN_LINT
    if not shutil.which("npm"):
        return None
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=ROOT, check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    return NPM_CFN_LINT


def run_npm_lint(lint, path, params=None):
    cmd = [str(lint), "validate", str(path)]
    if params:
        cmd += ["--parameters", ",".join("%s=%s" % kv for kv in sorted(params.items()))]
    p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120, env=dict(os.environ, FORCE_COLOR="0", NO_COLOR="1"))
    return p.returncode, re.sub(r"\x1b\[[0-9;]*m", "", p.stdout.decode("utf-8", "replace"))


# --- tests ---------------------------------------------------------------------

class TemplateStructure(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = load_template(TEMPLATE)
        cls.base = Variant(cls.t, {})

    def test_function(self):
        fn = self.t["Resources"][FUNCTION]
        self.assertEqual(fn["Type"], "AWS::Serverless::Function")
        self.assertEqual(fn["Metadata"]["BuildMethod"], "makefile")
        p = fn["Properties"]
        self.assertEqual(p["Runtime"], "provided.al2023")
        self.assertEqual(p["Handler"], "bootstrap")
        self.assertEqual(p["CodeUri"], ".")
        self.assertEqual(p["MemorySize"], {"Ref": "MemorySize"})
        mem = self.t["Parameters"]["MemorySize"]
        self.assertEqual((mem["Type"], mem["Default"]), ("Number", 128))
        # Lambda's range: 128 MB to 10,240 MB.
        for value, ok in (("128", True), ("1769", True), ("10240", True), ("127", False),
                          ("10241", False), ("1e3", False)):
            self.assertEqual(self._param_ok("MemorySize", value), ok, value)
        self.assertTrue(30 <= p["Timeout"] <= 900, p["Timeout"])
        self.assertEqual(p["Architectures"], [{"Ref": "Architecture"}])
        arch = self.t["Parameters"]["Architecture"]
        self.assertEqual(arch["Default"], "arm64")
        self.assertEqual(sorted(arch["AllowedValues"]), ["arm64", "x86_64"])
        self.assertEqual(p["Role"], {"Fn::GetAtt": [FUNCTION_ROLE, "Arn"]})
        self.assertNotIn("Policies", p, "SAM Policies would add actions: use the role")

    def test_environment(self):
        for name, over in (("default", {}), ("set", {"ProcessCheckRuleName": "pc-rule",
                                                     "DryRun": "true"})):
            with self.subTest(name):
                v = Variant(self.t, over)
                env = v.resources()[FUNCTION]["Properties"]["Environment"]["Variables"]
                self.assertEqual(set(env), {"TRAILWATCH_DRY_RUN", "TRAILWATCH_CONFIG_RULE_NAME"})
                self.assertEqual(env["TRAILWATCH_DRY_RUN"], over.get("DryRun", "false"))
                # Empty means unset for the code (tw_env_get).
                self.assertEqual(env["TRAILWATCH_CONFIG_RULE_NAME"], over.get("ProcessCheckRuleName", ""))
        creds = (ROOT / "src" / "creds.c").read_text()
        self.assertRegex(creds, r"return \(v && v\[0\]\) \? v : NULL;",
                         "tw_env_get no longer reads an empty variable as unset")

    def test_logging(self):
        p = self.t["Resources"][FUNCTION]["Properties"]["LoggingConfig"]
        self.assertEqual(p["LogGroup"], {"Ref": LOG_GROUP})
        self.assertEqual(p["LogFormat"], {"Ref": "LogFormat"})
        self.assertEqual(sorted(self.t["Parameters"]["LogFormat"]["AllowedValues"]), ["JSON", "Text"])
        for fmt, level in (("JSON", "DEBUG"), ("Text", None)):
            v = Variant(self.t, {"LogFormat": fmt, "LogLevel": "DEBUG"})
            lc = v.resources()[FUNCTION]["Properties"]["LoggingConfig"]
            self.assertEqual(lc.get("ApplicationLogLevel"), level)  # JSON format only
        _, logs = function_role_actions(self.base)
        self.assertEqual(actions_of(logs), LAMBDA_LOG_ACTIONS)
        for s in logs:
            self.assertEqual(s["Resource"], {"Fn::GetAtt": [LOG_GROUP, "Arn"]})

    def test_variant_resources(self):
        always = {LOG_GROUP, FUNCTION_ROLE, FUNCTION}
        expect = {
            "base": {"ConfigInvokePermission", ACCOUNT_RULE},
            "process-check": {"ConfigInvokePermission", ACCOUNT_RULE, "ProcessCheckPolicy"},
            "organization": {"OrganizationInvokePermission", ORG_RULE, "AssumeMemberRolePolicy"},
            "organization+process-check": {"OrganizationInvokePermission", ORG_RULE,
                                           "AssumeMemberRolePolicy", "ProcessCheckPolicy"},
        }
        for name, over in VARIANTS.items():
            with self.subTest(name):
                self.assertEqual(set(Variant(self.t, over).resources()), always | expect[name])
        sched = Variant(self.t, {"ScheduleExpression": "rate(1 day)"}).resources()
        self.assertTrue({"ScheduleRule", "ScheduleInvokePermission"} <= set(sched))

    def test_account_rule(self):
        r = self.t["Resources"][ACCOUNT_RULE]
        self.assertEqual(r["Type"], "AWS::Config::ConfigRule")
        self.assertEqual(r["Condition"], "IsAccount")
        self.assertEqual(r["DependsOn"], "ConfigInvokePermission")
        p = r["Properties"]
        self.assertEqual(p["Source"]["Owner"], "CUSTOM_LAMBDA")
        self.assertEqual(p["Source"]["SourceIdentifier"], {"Fn::GetAtt": [FUNCTION, "Arn"]})
        details = p["Source"]["SourceDetails"]
        self.assertEqual({d["MessageType"] for d in details}, MESSAGE_TYPES)
        self.assertEqual(len(details), 3)
        for d in details:
            self.assertEqual(d["EventSource"], "aws.config")
            if d["MessageType"] == "ScheduledNotification":
                self.assertEqual(d["MaximumExecutionFrequency"], {"Ref": "MaximumExecutionFrequency"})
            else:
                self.assertNotIn("MaximumExecutionFrequency", d)
        self.assertEqual(p["Scope"], {"ComplianceResourceTypes": RESOURCE_TYPES})
        self.assertEqual(p["MaximumExecutionFrequency"], {"Ref": "MaximumExecutionFrequency"})
        freq = self.t["Parameters"]["MaximumExecutionFrequency"]
        self.assertEqual(set(freq["AllowedValues"]), {"One_Hour", "Three_Hours", "Six_Hours",
                                                      "Twelve_Hours", "TwentyFour_Hours"})
        cases = (({}, {"Strict": "false"}),
                 ({"Strict": "true", "ExternalMonitoring": "Splunk: cloudtrail-changes"},
                  {"Strict": "true", "ExternalMonitoring": "Splunk: cloudtrail-changes"}))
        for over, expected in cases:
            got = Variant(self.t, over).resources()[ACCOUNT_RULE]["Properties"]["InputParameters"]
            self.assertEqual(got, expected)  # strings only, empty ones left out

    def test_account_permission(self):
        r = self.t["Resources"]["ConfigInvokePermission"]
        self.assertEqual(r["Condition"], "IsAccount")
        self.assertEqual(r["Properties"], {
            "FunctionName": {"Fn::GetAtt": [FUNCTION, "Arn"]},
            "Action": "lambda:InvokeFunction",
            "Principal": "config.amazonaws.com",
            "SourceAccount": {"Ref": "AWS::AccountId"},
        })

    def test_organization_rule(self):
        r = self.t["Resources"][ORG_RULE]
        self.assertEqual(r["Type"], "AWS::Config::OrganizationConfigRule")
        self.assertEqual(r["Condition"], "IsOrganization")
        self.assertEqual(set(as_list(r["DependsOn"])),
                         {"OrganizationInvokePermission", "AssumeMemberRolePolicy"})
        m = r["Properties"]["OrganizationCustomRuleMetadata"]
        self.assertEqual(m["LambdaFunctionArn"], {"Fn::GetAtt": [FUNCTION, "Arn"]})
        self.assertEqual(set(m["OrganizationConfigRuleTriggerTypes"]), MESSAGE_TYPES)
        self.assertEqual(m["MaximumExecutionFrequency"], {"Ref": "MaximumExecutionFrequency"})
        self.assertEqual(m["ResourceTypesScope"], RESOURCE_TYPES)
        self.assertEqual(r["Properties"]["OrganizationConfigRuleName"], {"Ref": "ConfigRuleName"})
        longest_ext = "x" * self.t["Parameters"]["ExternalMonitoring"]["MaxLength"]
        cases = [
            ({}, {"Strict": "false", "ExecutionRoleName": "TrailwatchAudit"}),
            ({"Strict": "true", "ExecutionRoleName": "Audit+=,.@_-Role",
              "ExternalMonitoring": "Splunk 'saved search' <cloudtrail> & {x}: $1/2 ~"},
             {"Strict": "true", "ExecutionRoleName": "Audit+=,.@_-Role",
              "ExternalMonitoring": "Splunk 'saved search' <cloudtrail> & {x}: $1/2 ~"}),
            ({"ExternalMonitoring": longest_ext, "ExecutionRoleName": "r" * 64},
             {"Strict": "false", "ExternalMonitoring": longest_ext, "ExecutionRoleName": "r" * 64}),
        ]
        for over, expected in cases:
            with self.subTest(over=over):
                for k, val in over.items():
                    self.assertTrue(self._param_ok(k, val), (k, val))
                v = Variant(self.t, dict(over, OrganizationRule="true"))
                text = v.sub(v.resources()[ORG_RULE]["Properties"]
                             ["OrganizationCustomRuleMetadata"]["InputParameters"])
                self.assertLessEqual(len(text), 1024)
                self.assertEqual(json.loads(text), expected)

    def test_organization_permission(self):
        # Member accounts' Config invokes it: no SourceAccount can name them
        # all, and PrincipalOrgID does not apply to a service principal.
        r = self.t["Resources"]["OrganizationInvokePermission"]
        self.assertEqual(r["Condition"], "IsOrganization")
        self.assertEqual(r["Properties"], {
            "FunctionName": {"Fn::GetAtt": [FUNCTION, "Arn"]},
            "Action": "lambda:InvokeFunction",
            "Principal": "config.amazonaws.com",
        })

    def test_schedule(self):
        self.assertFalse(self.base.conditions["HasSchedule"])
        v = Variant(self.t, {"ScheduleExpression": "rate(1 day)"})
        res = v.resources()
        rule = res["ScheduleRule"]["Properties"]
        self.assertEqual(rule["ScheduleExpression"], "rate(1 day)")
        self.assertEqual(rule["State"], "ENABLED")
        self.assertEqual([t["Arn"] for t in rule["Targets"]], [{"Fn::GetAtt": [FUNCTION, "Arn"]}])
        self.assertEqual(res["ScheduleInvokePermission"]["Properties"], {
            "FunctionName": {"Fn::GetAtt": [FUNCTION, "Arn"]},
            "Action": "lambda:InvokeFunction",
            "Principal": "events.amazonaws.com",
            "SourceArn": {"Fn::GetAtt": ["ScheduleRule", "Arn"]},
        })
        for bad in ("1 day", "rate 1 day"):
            self.assertFalse(self._param_ok("ScheduleExpression", bad), bad)

    def _param_ok(self, name, value):
        p = self.t["Parameters"][name]
        if "AllowedValues" in p and value not in [str(x) for x in p["AllowedValues"]]:
            return False
        if len(value) > p.get("MaxLength", 1 << 30):
            return False
        if p.get("Type") == "Number":
            if not re.fullmatch(r"-?[0-9]+", value):
                return False
            if not p.get("MinValue", -(1 << 62)) <= int(value) <= p.get("MaxValue", 1 << 62):
                return False
        # CloudFormation's Java patterns here use only syntax Python shares.
        return "AllowedPattern" not in p or re.fullmatch(p["AllowedPattern"], value) is not None

    def test_rule_parameters(self):
        # What src/params.c accepts, and for ExternalMonitoring also safe to
        # splice into the organization rule's JSON string.
        self.assertEqual(set(self.t["Parameters"]["Strict"]["AllowedValues"]), {"true", "false"})
        good = ["", "Splunk", "SIEM rule cloudtrail-changes (EventBridge)", "a" * 128]
        bad = ["a" * 129, 'say "hi"', "back\\slash", "   ", "tab\there", "new\nline", "caf\u00e9"]
        for val in good:
            self.assertTrue(self._param_ok("ExternalMonitoring", val), val)
        for val in bad:
            self.assertFalse(self._param_ok("ExternalMonitoring", val), val)
        for val in ("TrailwatchAudit", "a", "x" * 64, "A+=,.@_-9"):
            self.assertTrue(self._param_ok("ExecutionRoleName", val), val)
        for val in ("", "x" * 65, "a/b", "a b", 'a"b'):
            self.assertFalse(self._param_ok("ExecutionRoleName", val), val)
        params_c = (ROOT / "src" / "params.c").read_text()
        self.assertIn("#define S_MAX_EXTERNAL 128", params_c)
        self.assertIn("#define S_MAX_ROLE 64", params_c)
        for name in ("Strict", "ExternalMonitoring", "ExecutionRoleName"):
            self.assertIn('"%s"' % name, params_c)

    def test_conditions(self):
        self.assertEqual(self.base.conditions, {
            "IsOrganization": False, "IsAccount": True, "HasExternalMonitoring": False,
            "HasSchedule": False, "HasProcessCheck": False, "IsJsonLog": True})
        org = Variant(self.t, {"OrganizationRule": "true"}).conditions
        self.assertTrue(org["IsOrganization"])
        self.assertFalse(org["IsAccount"])

    def test_outputs(self):
        base = self.base.outputs()
        self.assertEqual(base["FunctionArn"]["Value"], {"Fn::GetAtt": [FUNCTION, "Arn"]})
        self.assertEqual(base["FunctionRoleArn"]["Value"], {"Fn::GetAtt": [FUNCTION_ROLE, "Arn"]})
        self.assertEqual(base["ConfigRuleName"]["Value"], {"Ref": ACCOUNT_RULE})
        self.assertNotIn("OrganizationConfigRuleName", base)
        org = Variant(self.t, {"OrganizationRule": "true"}).outputs()
        self.assertEqual(org["OrganizationConfigRuleName"]["Value"], {"Ref": ORG_RULE})
        self.assertNotIn("ConfigRuleName", org)

    def test_member_role(self):
        m = load_template(MEMBER_ROLE)
        self.assertEqual(m["Parameters"]["ExecutionRoleName"],
                         dict(self.t["Parameters"]["ExecutionRoleName"],
                              Description=m["Parameters"]["ExecutionRoleName"]["Description"]))
        role = m["Resources"][MEMBER_ROLE_RESOURCE]
        self.assertEqual(role["Type"], "AWS::IAM::Role")
        p = role["Properties"]
        self.assertEqual(p["RoleName"], {"Ref": "ExecutionRoleName"})
        self.assertNotIn("ManagedPolicyArns", p)
        trust, = statements(p["AssumeRolePolicyDocument"])
        self.assertEqual(trust["Effect"], "Allow")
        self.assertEqual(trust["Action"], "sts:AssumeRole")
        # The function's account as principal, narrowed to the function's role.
        self.assertEqual(trust["Condition"], {"ArnEquals": {"aws:PrincipalArn":
                                                            {"Ref": "TrailwatchFunctionRoleArn"}}})
        fmt, args = trust["Principal"]["AWS"]["Fn::Sub"]
        self.assertEqual(fmt, "arn:${AWS::Partition}:iam::${FunctionAccount}:root")
        self.assertEqual(args["FunctionAccount"],
                         {"Fn::Select": [4, {"Fn::Split": [":", {"Ref": "TrailwatchFunctionRoleArn"}]}]})
        pattern = m["Parameters"]["TrailwatchFunctionRoleArn"]["AllowedPattern"]
        arn = "arn:aws:iam::123456789012:role/trailwatch-TrailwatchFunctionRole-AbC123"
        self.assertRegex(arn, pattern)
        self.assertEqual(arn.split(":")[4], "123456789012")
        self.assertNotRegex("arn:aws:iam::123456789012:user/bob", pattern)
        self.assertEqual(m["Outputs"]["RoleArn"]["Value"], {"Fn::GetAtt": [MEMBER_ROLE_RESOURCE, "Arn"]})


class IamMatchesCode(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.code = CodeOperations()
        cls.actions = cls.code.actions()
        cls.t = load_template(TEMPLATE)

    def test_parser_sees_every_service(self):
        self.assertEqual(set(self.code.signing), set(self.code.services),
                         "src/endpoint.c's table and include/endpoint.h's enum differ")
        used = {svc for _, _, svc, _, _ in self.code.sites}
        self.assertEqual(used - set(self.code.services), set())
        self.assertEqual(used, set(self.code.services), "a service in the table is never called")
        self.assertEqual(set(IAM_PREFIX_EXCEPTIONS) - set(self.code.signing.values()), set(),
                         "IAM_PREFIX_EXCEPTIONS names a signing name no longer in the table")
        self.assertIn("s_job_init", self.code.wrappers, "collect.c's wrapper was not recognised")
        for a in self.actions:
            self.assertRegex(a, r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")

    def test_gated_operations(self):
        for action, (condition, token) in GATES.items():
            with self.subTest(action):
                self.assertIn(action, self.actions)
                prefix, op = action.split(":")
                bodies = [b for _, _, svc, o, b in self.code.sites
                          if o == op and self.code.iam_prefix(svc) == prefix]
                for body in bodies:
                    self.assertIn(token, body, "%s is called without reading %s" % (action, token))
                self.assertIn(condition, self.t["Conditions"])

    def test_function_role_per_variant(self):
        base = self.actions - set(GATES)
        gated = {c: a for a, (c, _) in GATES.items()}
        for name, over in VARIANTS.items():
            with self.subTest(name):
                v = Variant(self.t, over)
                want = base | {a for c, a in gated.items() if v.conditions[c]}
                got, _ = function_role_actions(v)
                self.assertEqual(got, want, "missing %s, extra %s" % (sorted(want - got),
                                                                     sorted(got - want)))
        both = Variant(self.t, VARIANTS["organization+process-check"])
        self.assertEqual(function_role_actions(both)[0], self.actions)

    def test_assume_role_resource(self):
        v = Variant(self.t, {"OrganizationRule": "true", "ExecutionRoleName": "AuditRole"})
        pol = v.resources()["AssumeMemberRolePolicy"]["Properties"]
        stmt, = statements(pol["PolicyDocument"])
        self.assertEqual(v.sub(stmt["Resource"]), "arn:${AWS::Partition}:iam::*:role/AuditRole")

    def test_member_role_actions(self):
        m = Variant(load_template(MEMBER_ROLE), {"TrailwatchFunctionRoleArn":
                                                 "arn:aws:iam::123456789012:role/fn"})
        role = m.resources()[MEMBER_ROLE_RESOURCE]["Properties"]
        got = set()
        for pol in role["Policies"]:
            got |= actions_of(statements(pol["PolicyDocument"]))
        # Everything the code signs with the assumed role: the reads and
        # PutEvaluations (PROTOCOLS.md 2.4); never AssumeRole or the
        # EventBridge-only PutExternalEvaluation.
        self.assertEqual(got, self.actions - set(GATES))
        self.assertIn("config:PutEvaluations", got)

    def test_no_wildcards(self):
        docs = []
        for t in (self.t, load_template(MEMBER_ROLE)):
            for r in t["Resources"].values():
                p = r.get("Properties", {})
                docs += [pol["PolicyDocument"] for pol in p.get("Policies", [])]
                if "PolicyDocument" in p:
                    docs.append(p["PolicyDocument"])
        self.assertGreaterEqual(len(docs), 5)
        for doc in docs:
            for s in statements(doc):
                for a in as_list(s["Action"]):
                    self.assertNotIn("*", a)


class CfnLint(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = load_template(TEMPLATE)

    def test_lint_view_gaps_exist(self):
        # Each construct hidden from the npm linter is still in the template,
        # so the list cannot outlive what it excuses.
        for path in LINT_VIEW_GAPS:
            self.assertTrue(_has(self.t, path), "LINT_VIEW_GAPS: %s no longer in template.yaml"
                            % " > ".join(path))

    def test_npm_cfn_lint(self):
        lint = npm_cfn_lint()
        if lint is None:
            self.skipTest("npm cfn-lint not checked: node_modules/ is missing and npm is not "
                          "installed (scripts/install-packages.sh runs `npm ci`)")
        rc, out = run_npm_lint(lint, MEMBER_ROLE)
        self.assertEqual(rc, 0, out)
        self.assertIn("Template valid!", out)
        view = lint_view(self.t)
        with tempfile.TemporaryDirectory() as tmp:
            path = pathlib.Path(tmp) / "template.plain.json"
            path.write_text(json.dumps(view, indent=1))
            runs = dict(VARIANTS, everything={
                "OrganizationRule": "true", "ProcessCheckRuleName": "pc",
                "ScheduleExpression": "rate(1 day)", "ExternalMonitoring": "Splunk",
                "LogFormat": "Text", "Strict": "true", "DryRun": "true", "Architecture": "x86_64"})
            for name, params in runs.items():
                with self.subTest(name):
                    rc, out = run_npm_lint(lint, path, params)
                    self.assertEqual(rc, 0, out)
                    self.assertIn("Template valid!", out)
            # The linter does check this view: a misspelt property fails it.
            broken = copy.deepcopy(view)
            broken["Resources"][ACCOUNT_RULE]["Properties"]["MaximumExecutionFrequncy"] = "One_Hour"
            path.write_text(json.dumps(broken))
            rc, out = run_npm_lint(lint, path)
            self.assertNotEqual(rc, 0, out)
            self.assertIn("MaximumExecutionFrequncy", out)

    def test_python_cfn_lint(self):
        exe = shutil.which("cfn-lint")
        version = ""
        if exe:
            p = subprocess.run([exe, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=120)
            version = p.stdout.decode("utf-8", "replace").strip()
        if not version.startswith("cfn-lint "):
            self.skipTest("AWS's Python cfn-lint is not installed (optional)")
        p = subprocess.run([exe, "--include-checks", "I", "--", str(TEMPLATE), str(MEMBER_ROLE)],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        self.assertEqual(p.returncode, 0, "%s:\n%s" % (version, p.stdout.decode("utf-8", "replace")))


if __name__ == "__main__":
    unittest.main()
