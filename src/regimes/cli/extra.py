"""Commands that build on the core: registered here so the core CLI stays small."""
