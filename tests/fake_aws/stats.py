"""Counters and the request log."""
import collections
import copy
import threading
import time


class Stats:
    def __init__(self, log_limit=50000):
        self._lock = threading.Lock()
        self._log_limit = log_limit
        self.reset()

    def reset(self):
        with self._lock:
            self.requests = 0
            self.rejected_signatures = 0
            self.connections = 0
            self.faults_injected = 0
            self.by_operation = collections.Counter()
            self.by_status = collections.Counter()
            self.auth_failures = collections.Counter()
            self.fake_bugs = []
            self.log = collections.deque(maxlen=self._log_limit)
            self._seq = 0

    def connection_opened(self):
        with self._lock:
            self.connections += 1
            return self.connections

    def request_started(self):
        with self._lock:
            self.requests += 1
            self._seq += 1
            return self._seq

    def operation(self, name):
        with self._lock:
            self.by_operation[name] += 1

    def rejected(self, code):
        with self._lock:
            self.rejected_signatures += 1
            self.auth_failures[code] += 1

    def fault(self):
        with self._lock:
            self.faults_injected += 1

    def bug(self, text):
        with self._lock:
            self.fake_bugs.append(text)

    def finish(self, entry):
        with self._lock:
            self.by_status[str(entry["status"])] += 1
            self.log.append(entry)

    def snapshot(self, state):
        with self._lock:
            out = {
                "time": time.time(),
                "requests": self.requests,
                "rejected_signatures": self.rejected_signatures,
                "connections": self.connections,
                "faults_injected": self.faults_injected,
                "by_operation": dict(self.by_operation),
                "by_status": dict(self.by_status),
                "auth_failures": dict(self.auth_failures),
                "fake_bugs": list(self.fake_bugs),
            }
        with state.lock:
            out["put_evaluations"] = copy.deepcopy(state.put_evaluations)
            out["put_external_evaluations"] = copy.deepcopy(state.put_external_evaluations)
            out["assume_role_calls"] = copy.deepcopy(state.assume_role_calls)
        return out

    def request_log(self):
        with self._lock:
            return [dict(e) for e in self.log]
