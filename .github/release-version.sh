#!/usr/bin/env bash
# The version a release build stamps on the CLI: a tag's, without its "v" (v1.2.3 -> 1.2.3, v1.2.3-rc.1 -> 1.2.3-rc.1);
# for a run of a branch (workflow_dispatch), 0.0.0-dev.<commit>. A tag that is not v<semver> fails the release.
set -euo pipefail
if [[ "${GITHUB_REF_TYPE:-}" == tag ]]; then
  if [[ "${GITHUB_REF_NAME:-}" =~ ^v([0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?)$ ]]; then
    echo "${BASH_REMATCH[1]}"
    exit 0
  fi
  echo "Tag '${GITHUB_REF_NAME:-}' is not a release version: tag releases v<major>.<minor>.<patch>[-<prerelease>], e.g. v1.2.0." >&2
  exit 1
fi
echo "0.0.0-dev.$(git rev-parse --short=12 HEAD)"
