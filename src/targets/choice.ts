import { FLAVORS, type Flavor, type FlavorName } from './flavors.js';

/** The v5 operator a command works towards, whether the server serves its kind, and why it was chosen. */
export interface TargetChoice {
    flavor: Flavor;
    installed: boolean;
    selectedBy: 'flag' | 'only-installed' | 'default';
}

/** `--target`, else the only v5 operator whose kind the server serves, else IVYO (the default). */
export function chooseTarget(flag: FlavorName | undefined, served: Record<FlavorName, boolean>): TargetChoice {
    if (flag) return { flavor: FLAVORS[flag], installed: served[flag], selectedBy: 'flag' };
    if (served.pgo && !served.ivyo) return { flavor: FLAVORS.pgo, installed: true, selectedBy: 'only-installed' };
    if (served.ivyo && !served.pgo) return { flavor: FLAVORS.ivyo, installed: true, selectedBy: 'only-installed' };
    return { flavor: FLAVORS.ivyo, installed: served.ivyo, selectedBy: 'default' };
}
