#!/usr/bin/env bash
# README snippets are tests. Usage: .ci/snippets.sh <feed-dir> [markdown files...]
#
# A runnable snippet in a README is a fenced ```csharp block preceded by an HTML comment (invisible on GitHub/Gitea and
# on nuget.org):
#
#   <!-- snippet: first-look-offline
#   packages: Executus.Core Executus.Testing Microsoft.Extensions.DependencyInjection
#   expect: Completed: 5 (11 tokens)
#   -->
#
# `packages:` lists exactly what the README tells the reader to add (Executus.* come from <feed-dir>, the folder
# `dotnet pack` wrote, at the version found there; any other package at the version of Directory.Packages.props).
# Every `expect:` line must appear in the program's standard output as a whole line, in order (a line ending in
# " ..." matches the start of a line). `mode: build` only
# compiles the snippet (it needs a real model or key); the default `mode: run` also runs it, offline, and wants exit 0.
#
# For each distinct package set the script writes one throwaway console project (what `dotnet new console` makes) in a
# temp folder whose nuget.config has the local feed + nuget.org, restores it once, then builds and runs each snippet of
# that set as its own program. Packages are restored into a temp folder (so a re-packed 0.1.0-alpha.1 is never served
# stale from the user cache), with the user cache as a read-only fallback for the public packages.
set -euo pipefail
cd "$(dirname "$0")/.."

feed=$(cd "${1:?usage: .ci/snippets.sh <feed-dir> [markdown files...]}" && pwd)
shift
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(README.md src/*/README.md examples/*/README.md)
fi

core=$(ls "$feed"/Executus.Core.[0-9]*.nupkg 2>/dev/null | grep -v '\.snupkg$' | head -1)
[ -n "$core" ] || { echo "snippets: no Executus.Core package in $feed"; exit 1; }
version=$(basename "$core" .nupkg); version=${version#Executus.Core.}

work=$(mktemp -d "${TMPDIR:-/tmp}/executus-snippets.XXXXXX")
[ -n "${SNIPPETS_KEEP:-}" ] && echo "snippets: work folder $work (kept)" || trap 'rm -rf "$work"' EXIT
mkdir -p "$work/snippets"

# 1. Extract: snippets/<name>/{Program.cs,packages,expect,mode,source}
for md in "${files[@]}"; do
  [ -f "$md" ] || continue
  awk -v out="$work/snippets" -v src="$md" '
    function fail(msg) { printf "snippets: %s:%d: %s\n", src, NR, msg > "/dev/stderr"; bad = 1; exit 1 }
    state == 0 && /^<!-- snippet: / {
      name = $3; sub(/-->$/, "", name)
      if (name !~ /^[a-z0-9][a-z0-9-]*$/) fail("snippet name \"" name "\" must be lower-case letters, digits and -")
      dir = out "/" name
      if (system("test -e \"" dir "\"") == 0) fail("snippet \"" name "\" is defined twice")
      system("mkdir -p \"" dir "\"")
      printf "%s:%d\n", src, NR > (dir "/source")
      printf "run\n" > (dir "/mode")
      printf "" > (dir "/expect"); printf "" > (dir "/packages")
      state = ($0 ~ /-->[[:space:]]*$/) ? 2 : 1
      next
    }
    state == 1 {
      if ($0 ~ /^-->[[:space:]]*$/) { state = 2; next }
      if ($0 ~ /^packages:/) { line = $0; sub(/^packages:[[:space:]]*/, "", line); gsub(/,/, " ", line); n = split(line, p, /[[:space:]]+/); for (i = 1; i <= n; i++) if (p[i] != "") print p[i] >> (dir "/packages"); next }
      if ($0 ~ /^expect:/) { line = $0; sub(/^expect: ?/, "", line); print line >> (dir "/expect"); next }
      if ($0 ~ /^mode:/) { line = $0; sub(/^mode:[[:space:]]*/, "", line); if (line != "run" && line != "build") fail("mode must be run or build"); print line > (dir "/mode"); next }
      fail("unknown snippet header line: " $0)
    }
    state == 2 {
      if ($0 ~ /^[[:space:]]*$/) next
      if ($0 !~ /^```csharp[[:space:]]*$/) fail("a snippet comment must be followed by a ```csharp block")
      state = 3; printf "" > (dir "/Program.cs"); next
    }
    state == 3 {
      if ($0 ~ /^```[[:space:]]*$/) { close(dir "/Program.cs"); close(dir "/expect"); close(dir "/packages"); state = 0; next }
      print >> (dir "/Program.cs"); next
    }
    END { if (!bad && state != 0) { printf "snippets: %s: unterminated snippet \"%s\"\n", src, name > "/dev/stderr"; exit 1 } }
  ' "$md"
done

names=$(ls "$work/snippets")
[ -n "$names" ] || { echo "snippets: no snippet found in ${files[*]}"; exit 1; }

# Version of a public package: Directory.Packages.props (what the repository builds and tests with).
public_version() {
  sed -n "s/.*<PackageVersion Include=\"$1\" Version=\"\([^\"]*\)\".*/\1/p" Directory.Packages.props | head -1
}

# 2. One consumer project per distinct package set.
declare -A group_of
t0=$SECONDS
groups=0
for name in $names; do
  key=$(sort -u "$work/snippets/$name/packages" | tr '\n' ' ')
  [ -n "$key" ] || { echo "snippets: $(cat "$work/snippets/$name/source"): snippet '$name' lists no packages"; exit 1; }
  dir=""
  for g in $(seq 1 "$groups"); do
    if [ "$(cat "$work/g$g/key")" = "$key" ]; then dir="$work/g$g"; break; fi
  done
  if [ -z "$dir" ]; then
    groups=$((groups + 1)); dir="$work/g$groups"; mkdir -p "$dir"; echo "$key" >"$dir/key"
    refs=""
    for pkg in $key; do
      case "$pkg" in
        Executus.*)
          ls "$feed/$pkg.$version.nupkg" >/dev/null 2>&1 || { echo "snippets: snippet '$name' needs $pkg $version, which was not packed"; exit 1; }
          v=$version ;;
        *)
          v=$(public_version "$pkg")
          [ -n "$v" ] || { echo "snippets: snippet '$name' needs $pkg; give it a version in Directory.Packages.props"; exit 1; } ;;
      esac
      refs="$refs    <PackageReference Include=\"$pkg\" Version=\"$v\" />"$'\n'
    done
    # What `dotnet new console` writes, plus: only the current snippet compiles, each into its own folders.
    cat >"$dir/Consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
    <AssemblyName>\$(Snippet)</AssemblyName>
    <IntermediateOutputPath>obj/\$(Snippet)/</IntermediateOutputPath>
    <OutputPath>bin/\$(Snippet)/</OutputPath>
    <AppendTargetFrameworkToOutputPath>false</AppendTargetFrameworkToOutputPath>
  </PropertyGroup>
  <ItemGroup>
    <Compile Include="snippets/\$(Snippet)/Program.cs" />
  </ItemGroup>
  <ItemGroup>
$refs  </ItemGroup>
</Project>
EOF
    cat >"$dir/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config>
    <add key="globalPackagesFolder" value="$work/packages" />
  </config>
  <fallbackPackageFolders>
    <add key="user" value="${NUGET_PACKAGES:-$HOME/.nuget/packages}" />
  </fallbackPackageFolders>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
</configuration>
EOF
    # Why: Executus.* must come from the local feed only, even if someone publishes that id to nuget.org.
    sed -i 's#</configuration>#  <packageSourceMapping>\n    <packageSource key="local"><package pattern="Executus.*" /></packageSource>\n    <packageSource key="nuget.org"><package pattern="*" /></packageSource>\n  </packageSourceMapping>\n</configuration>#' "$dir/nuget.config"
    mkdir -p "$dir/snippets"
    # Restores run side by side (mostly waiting on the feed); waited for below.
    (cd "$dir" && dotnet restore --nologo -v q -p:Snippet=restore >"$dir/restore.log" 2>&1; echo $? >"$dir/restore.rc") &
  fi
  group_of[$name]=$dir
  cp -r "$work/snippets/$name" "$dir/snippets/$name"
done

wait
for g in $(seq 1 "$groups"); do
  if [ "$(cat "$work/g$g/restore.rc")" != 0 ]; then
    cat "$work/g$g/restore.log"; echo "snippets: restore failed for packages: $(cat "$work/g$g/key")"; exit 1
  fi
done
echo "snippets: $groups consumer project(s) restored in $((SECONDS - t0)) s"

# 3. Build every snippet in ONE MSBuild invocation (each is the group's project with its own Snippet property).
{
  echo '<Project>'
  echo '  <ItemGroup>'
  for name in $names; do
    echo "    <Snippet Include=\"${group_of[$name]}/Consumer.csproj\" AdditionalProperties=\"Snippet=$name\" />"
  done
  echo '  </ItemGroup>'
  echo '  <Target Name="Build">'
  echo '    <MSBuild Projects="@(Snippet)" Properties="Configuration=Release" BuildInParallel="true" StopOnFirstFailure="false" ContinueOnError="true" />'
  echo '  </Target>'
  echo '</Project>'
} >"$work/snippets.proj"
t1=$SECONDS
dotnet build "$work/snippets.proj" --nologo --no-restore -v q -clp:NoSummary >"$work/build.log" 2>&1 || true
echo "snippets: built in $((SECONDS - t1)) s"

# 4. Run each snippet; compare its output with its expect lines.
failed=0; ran=0; built=0
for name in $names; do
  dir=${group_of[$name]}
  s="$dir/snippets/$name"
  where=$(cat "$s/source")
  if [ ! -f "$dir/bin/$name/$name.dll" ]; then
    echo "snippet $name ($where): does not build with packages: $(cat "$dir/key")"
    grep -E "snippets/$name/|error" "$work/build.log" | grep -E "snippets/$name/" | sort -u | head -20
    failed=1; continue
  fi
  built=$((built + 1))
  [ "$(cat "$s/mode")" = "run" ] || { echo "snippet $name ($where): builds"; continue; }
  [ -s "$s/expect" ] || { echo "snippet $name ($where): a run snippet needs at least one expect: line"; failed=1; continue; }
  set +e
  (cd "$s" && timeout 120 dotnet "$dir/bin/$name/$name.dll" >"$s/stdout" 2>"$s/stderr" </dev/null)
  rc=$?
  set -e
  if [ "$rc" -ne 0 ]; then
    echo "snippet $name ($where): exit code $rc"; cat "$s/stdout" "$s/stderr" | head -30; failed=1; continue
  fi
  # Every expected line, in order, as a whole line of stdout; an expected line ending in " ..." matches a line's start.
  if ! awk 'NR == FNR { want[++n] = $0; next }
            i < n { w = want[i + 1]; if (w ~ / [.][.][.]$/ ? index($0, substr(w, 1, length(w) - 4)) == 1 : $0 == w) i++ }
            END { exit i == n ? 0 : 1 }' "$s/expect" "$s/stdout"; then
    echo "snippet $name ($where): output differs"
    echo "  expected (in order):"; sed 's/^/    /' "$s/expect"
    echo "  got:"; sed 's/^/    /' "$s/stdout" | head -30
    failed=1; continue
  fi
  ran=$((ran + 1))
  echo "snippet $name ($where): ran, output as documented"
done

[ "$failed" -eq 0 ] || { echo "snippets: FAILED"; exit 1; }
echo "snippets: $built built, $ran ran with the documented output ($groups consumer project(s), packages $version from the local feed)"
