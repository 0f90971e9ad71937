// Stands in for optional native modules (bufferutil, utf-8-validate, encoding, supports-color) that the
// bundled libraries try to require and do without. A single-executable application can only require built-in
// modules, so the bundle resolves these names here: requiring one fails as "not installed" does.
throw new Error('optional module not bundled');
