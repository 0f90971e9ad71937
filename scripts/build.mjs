// npm run build: dist/kubectl-ivyo_upgrade, the portable bundle (needs Node >= 20 on PATH).
import { bundle, pkg } from './bundle.mjs';

await bundle('dist/kubectl-ivyo_upgrade');
console.error(`built dist/kubectl-ivyo_upgrade (version ${pkg.version})`);
