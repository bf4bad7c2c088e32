"""Tell someone when a nightly run did not publish: a local command and/or a webhook, both optional
and configured from the environment (no secrets in the repo)."""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path

NOTIFY_COMMAND = "PILOTDW_NOTIFY_COMMAND"  # e.g. "mail -s 'pilotdw blocked' ops@example.org": gets the summary path as last argument and the summary on stdin
NOTIFY_WEBHOOK = "PILOTDW_NOTIFY_WEBHOOK"  # a URL that receives {"run_id", "status", "summary"} as JSON


def notify(run_id: str, status: str, summary_path: Path) -> list[str]:
    """Run the configured hooks; return what was done (for the log). A failing hook is reported,
    never raised: the run's outcome must not depend on the mail server."""
    done: list[str] = []
    text = summary_path.read_text(encoding="utf-8") if summary_path.exists() else ""
    command = os.environ.get(NOTIFY_COMMAND, "").strip()
    if command:
        try:
            proc = subprocess.run([*shlex.split(command), str(summary_path)], input=text, text=True, timeout=60, capture_output=True)
            done.append(f"command exited {proc.returncode}")
        except (OSError, subprocess.SubprocessError) as exc:
            done.append(f"command failed: {exc}")
    url = os.environ.get(NOTIFY_WEBHOOK, "").strip()
    if url:
        body = json.dumps({"run_id": run_id, "status": status, "summary": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                done.append(f"webhook answered {response.status}")
        except OSError as exc:
            done.append(f"webhook failed: {exc}")
    for line in done:
        print(f"notify: {line}", file=sys.stderr)
    return done
