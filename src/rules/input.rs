//! Input and YAML rules (IL1xxx). The checks themselves live in the YAML
//! layer and the source reader; these are their codes and documentation.

use crate::rules::rule;

rule!(
    YAML_SYNTAX,
    "IL1001",
    "yaml-syntax",
    Error,
    Input,
    &[],
    "The file is not valid YAML",
    "\
## What it checks
The YAML parser could not read the file. The position is where the parser gave up; the
mistake is often just before it (an unclosed bracket or quote, a bad indent).

## Why it matters
`kubectl apply` rejects the whole file, and every document after the error is unknown.

## Example
```yaml
spec:
  hosts: [recommendation
```
Fix: `hosts: [recommendation]`.
",
    help: "fix the YAML at this position: indentation, a missing `:`, or an unclosed quote or bracket"
);

rule!(
    DUPLICATE_KEY,
    "IL1002",
    "duplicate-key",
    Error,
    Input,
    &[],
    "A mapping has the same key twice",
    "\
## What it checks
A key appears twice in one mapping. The diagnostic points at the second occurrence and
names the first.

## Why it matters
YAML forbids it, but many tools (kubectl among them) silently keep the last value: half of
what you wrote is ignored without a word.

## Example
```yaml
spec:
  host: recommendation
  host: preference      # IL1002: first defined at line 2
```
Keep one of them.
"
);

rule!(
    UNRENDERED_TEMPLATE,
    "IL1003",
    "unrendered-template",
    Error,
    Input,
    &[],
    "A document is a template ({{ ... }}), not a manifest",
    "\
## What it checks
A document contains Go/Helm template markup (`{{ ... }}`) outside comments and is
not valid YAML, or has `{{` where the markup changes its structure
(`name: {{ .Values.name }}` is a flow mapping to YAML). `{{` inside string values
of valid YAML is data and not reported: the sidecar-injector ConfigMap rendered by
`helm template istiod`, Prometheus alert texts, Grafana `legendFormat`. Only the
template documents of a stream are skipped; the others are checked.

## Why it matters
A template is not the configuration Istio will see. Checking it as YAML would give
nonsense; render it first and check the output.

## Example
```sh
helm template my-release ./chart | istiolint check -
```
"
);

rule!(
    YAML11_SCALAR,
    "IL1004",
    "yaml11-scalar",
    Warning,
    Input,
    &[],
    "An unquoted value that Kubernetes (YAML 1.1) and YAML 1.2 tools read differently",
    "\
## What it checks
Plain scalars such as `yes`, `on`, `off`, `y`, `n`, `0755` or `1_000`. Kubernetes reads YAML
1.1: `on` is the boolean true, `0755` is the octal number 493, `1_000` is 1000. YAML 1.2
tools (yq, most editors, Python's ruamel) read `on` as a string and `0755` as 755.

## Why it matters
The same file means different things to kubectl and to the tools around it; a label value
`on` becomes `true` and is then rejected, or worse, accepted with the wrong meaning.

## Example
```yaml
labels:
  canary: on        # IL1004: Kubernetes reads boolean true
```
Quote it: `canary: \"on\"`.
"
);

rule!(
    INPUT_LIMIT,
    "IL1005",
    "input-limit",
    Error,
    Input,
    &[],
    "The input exceeds a safety limit (size, nesting depth or alias expansion)",
    "\
## What it checks
Files over 64 MiB, collections nested more than 128 levels deep, and alias expansion that
would add more than 100,000 nodes to a document (the \"billion laughs\" attack).

## Why it matters
No real Istio manifest comes near these limits; input that does is broken or hostile, and
expanding it would exhaust memory or time.
"
);

rule!(
    UNREADABLE_FILE,
    "IL1006",
    "unreadable-file",
    Error,
    Input,
    &[],
    "A file could not be read as UTF-8 text",
    "\
## What it checks
A file that cannot be opened, is binary (contains NUL bytes), or is not valid UTF-8. The
position of the first invalid byte is reported.

## Why it matters
Kubernetes manifests are UTF-8 text; such a file is not what you meant to commit (or not
readable by the tools that apply it). The other files are still checked.
"
);

rule!(
    COMPLEX_KEY,
    "IL1007",
    "complex-key",
    Error,
    Input,
    &[],
    "A mapping key is a sequence or a mapping",
    "\
## What it checks
YAML allows keys that are themselves collections (`? [a, b]`); JSON and Kubernetes do not.

## Example
```yaml
? [a, b]
: value
```
Use a string key.
"
);

rule!(
    UNUSED_SUPPRESSION,
    "IL1008",
    "unused-suppression",
    Info,
    Input,
    &[],
    "A suppression (annotation or comment) that suppresses nothing",
    "\
## What it checks
An `istiolint.io/ignore` annotation or a `# istiolint: ignore[...]` comment that matched no
finding in this run.

## Why it matters
Suppressions rot: the problem was fixed or the line moved, and the stale suppression now waits to
hide the next real finding. Remove it.

## Example
```yaml
  # istiolint: ignore[IL4003] canary ramps up by relative weights
  http:                       # IL1008 when nothing on this line is reported
```
"
);
