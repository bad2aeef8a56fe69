//! Input and YAML rules (IL1xxx). The checks themselves live in the YAML
//! layer and the source reader; these are their codes and documentation.

use super::{Area, Rule};
use crate::diagnostic::Severity;

pub static YAML_SYNTAX: Rule = Rule {
    code: "IL1001",
    name: "yaml-syntax",
    severity: Severity::Error,
    area: Area::Input,
    kinds: &[],
    summary: "The file is not valid YAML",
    help:
        "fix the YAML at this position: indentation, a missing `:`, or an unclosed quote or bracket",
    doc: "\
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
};

pub static DUPLICATE_KEY: Rule = Rule {
    code: "IL1002",
    name: "duplicate-key",
    severity: Severity::Error,
    area: Area::Input,
    kinds: &[],
    summary: "A mapping has the same key twice",
    help: "",
    doc: "\
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
",
};

pub static UNRENDERED_TEMPLATE: Rule = Rule {
    code: "IL1003",
    name: "unrendered-template",
    severity: Severity::Error,
    area: Area::Input,
    kinds: &[],
    summary: "The file is a template ({{ ... }}), not a manifest",
    help: "",
    doc: "\
## What it checks
The file contains Go/Helm template markup (`{{ ... }}`) outside comments.

## Why it matters
A template is not the configuration Istio will see. Checking it as YAML would give
nonsense; render it first and check the output.

## Example
```sh
helm template my-release ./chart | istiolint check -
```
",
};

pub static YAML11_SCALAR: Rule = Rule {
    code: "IL1004",
    name: "yaml11-scalar",
    severity: Severity::Warning,
    area: Area::Input,
    kinds: &[],
    summary: "An unquoted value that Kubernetes (YAML 1.1) and YAML 1.2 tools read differently",
    help: "",
    doc: "\
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
",
};

pub static INPUT_LIMIT: Rule = Rule {
    code: "IL1005",
    name: "input-limit",
    severity: Severity::Error,
    area: Area::Input,
    kinds: &[],
    summary: "The input exceeds a safety limit (size, nesting depth or alias expansion)",
    help: "",
    doc: "\
## What it checks
Files over 64 MiB, collections nested more than 128 levels deep, and alias expansion that
would add more than 100,000 nodes to a document (the \"billion laughs\" attack).

## Why it matters
No real Istio manifest comes near these limits; input that does is broken or hostile, and
expanding it would exhaust memory or time.
",
};

pub static UNREADABLE_FILE: Rule = Rule {
    code: "IL1006",
    name: "unreadable-file",
    severity: Severity::Error,
    area: Area::Input,
    kinds: &[],
    summary: "A file could not be read as UTF-8 text",
    help: "",
    doc: "\
## What it checks
A file that cannot be opened, is binary (contains NUL bytes), or is not valid UTF-8. The
position of the first invalid byte is reported.

## Why it matters
Kubernetes manifests are UTF-8 text; such a file is not what you meant to commit (or not
readable by the tools that apply it). The other files are still checked.
",
};

pub static COMPLEX_KEY: Rule = Rule {
    code: "IL1007",
    name: "complex-key",
    severity: Severity::Error,
    area: Area::Input,
    kinds: &[],
    summary: "A mapping key is a sequence or a mapping",
    help: "",
    doc: "\
## What it checks
YAML allows keys that are themselves collections (`? [a, b]`); JSON and Kubernetes do not.

## Example
```yaml
? [a, b]
: value
```
Use a string key.
",
};

pub static UNUSED_SUPPRESSION: Rule = Rule {
    code: "IL1008",
    name: "unused-suppression",
    severity: Severity::Info,
    area: Area::Input,
    kinds: &[],
    summary: "A suppression (annotation or comment) that suppresses nothing",
    help: "",
    doc: "\
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
",
};
