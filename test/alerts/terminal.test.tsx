import { describe, expect, it } from 'vitest';
import { BELL, desktopNotification, detectDesktopStyle, terminalAlertBytes, terminalStyle } from '../../src/alerts/terminal-notify.js';
import { renderApp, wait } from '../screens/harness.js';

const ESC = '\u001b';

describe('terminal alerts', () => {
  it('knows which terminals show a desktop notification, and stays with the bell elsewhere', () => {
    expect(detectDesktopStyle({ TERM_PROGRAM: 'iTerm.app' })).toBe('osc9');
    expect(detectDesktopStyle({ TERM: 'xterm-kitty' })).toBe('osc9');
    expect(detectDesktopStyle({ TERM_PROGRAM: 'WezTerm' })).toBe('osc777');
    expect(detectDesktopStyle({ TERM: 'foot' })).toBe('osc777');
    expect(detectDesktopStyle({ VTE_VERSION: '7600', TERM: 'xterm-256color' })).toBe('osc777');
    expect(detectDesktopStyle({ TERM: 'xterm-256color' })).toBeNull();
    expect(detectDesktopStyle({ TERM_PROGRAM: 'iTerm.app', TMUX: '/tmp/tmux-1000/default,1,0' })).toBeNull();
    expect(terminalStyle('OFF', {})).toBeNull();
    expect(terminalStyle('OSC9', { TMUX: 'x' })).toEqual({ bell: true, desktop: 'osc9', tmux: true });
  });

  it('writes OSC 9 and OSC 777 with control characters and separators removed; tmux passthrough doubles ESC', () => {
    expect(desktopNotification('osc9', 'rs', 'CRITICAL a;b\u0007c\n')).toBe(`${ESC}]9;rs: CRITICAL a,b c${BELL}`);
    expect(desktopNotification('osc777', 'random-scalp', 'TRADE closed')).toBe(`${ESC}]777;notify;random-scalp;TRADE closed${BELL}`);
    expect(desktopNotification('osc9', 't', 'x', true)).toBe(`${ESC}Ptmux;${ESC}${ESC}]9;t: x${BELL}${ESC}\\`);
    expect(terminalAlertBytes({ title: 't', text: 'x', bell: true, desktop: null, tmux: false })).toBe(BELL);
  });

  it('the dashboard writes each alert once, between frames, through the store', async () => {
    const r = renderApp({ state: 'flat' });
    await wait();
    const alertFrames = (): string[] => r.frames.filter((f) => f.includes(`${ESC}]777;`));
    r.store.getState().terminalAlertRaised({ title: 'random-scalp', text: 'TRADE closed 75', bell: true, desktop: 'osc777', tmux: false });
    await wait();
    expect(alertFrames()).toEqual([`${BELL}${ESC}]777;notify;random-scalp;TRADE closed 75${BELL}`]);
    r.store.getState().logged({ at: 0, level: 'INFO', tag: 'x', text: 'unrelated' });
    await wait();
    expect(alertFrames()).toHaveLength(1);
  });
});
