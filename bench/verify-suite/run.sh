#!/usr/bin/env bash
# The closed loop on the verify suite (docs/verify.md): calibrates this machine at the given thread count, then runs
# `scalelab verify --suite` — eight models x three batch sizes, memory and step time, estimated vs measured — and
# prints its table; the profile, the JSON and the measured-vs-estimated plots land in bench/verify-suite/out/tTHREADS/.
# Usage: bench/verify-suite/run.sh [threads=1] [repeats=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-1}
repeats=${2:-3}
out=bench/verify-suite/out/t$threads
mkdir -p "$out"
dotnet build src/ScaleLab.Cli -c Release -v quiet -nologo >/dev/null
scalelab=(dotnet src/ScaleLab.Cli/bin/Release/net10.0/scalelab.dll)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"${scalelab[@]}" calibrate --threads "$threads" --out "$out/profile.json"
"${scalelab[@]}" verify --suite --threads "$threads" --repeats "$repeats" --profile "$out/profile.json" --plot "$out" --save "$out/suite.json" || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
