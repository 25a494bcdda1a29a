// The view layer of the pages (decision 0016): Preact components written with htm's
// tagged templates (plain JavaScript: no JSX build step, node --test imports them),
// state in @preact/signals stores (one per page), and a few helpers.

import htm from "htm";
import { Component, h, render } from "preact";
import { useEffect, useRef } from "preact/hooks";

export { batch, computed, effect, signal, useComputed, useSignal, useSignalEffect } from "@preact/signals";
export { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
export { Component, h, render };

/** html`<div class=${x}>…</div>`: a Preact element from a tagged template. */
export const html = htm.bind(h);

function shallowEqual(a, b) {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.is(a[k], b[k]));
}

/**
 * A component that renders again only when one of its props changed (compared with
 * Object.is): the rows of a long list, so that a snapshot that changes one row touches
 * that row only.
 */
export function memo(renderFn, name = renderFn.name) {
  class Memo extends Component {
    shouldComponentUpdate(next) {
      return !shallowEqual(this.props, next);
    }
    render(props) {
      return renderFn(props);
    }
  }
  Memo.displayName = `memo(${name})`;
  return Memo;
}

/**
 * A section built by code that makes its own DOM (the h() builders of course-view.js,
 * my-attendance.js, push.js, auth-ui.js): `mount(element)` fills the element once and
 * may return a cleanup, run when the island goes. It mounts once: give the island a
 * `key` to mount it again for other inputs.
 */
export function Island({ mount, tag = "div", ...attrs }) {
  const ref = useRef(null);
  useEffect(() => {
    const el = ref.current;
    const cleanup = mount(el);
    return () => {
      if (typeof cleanup === "function") cleanup();
      el.replaceChildren();
    };
    // once per island: a new key mounts it again
  }, []);
  return h(tag, { ref, ...attrs });
}

/** Render a component into an element built elsewhere (an h() view); returns the element. */
export function mountInto(element, vnode) {
  render(vnode, element);
  return element;
}

/**
 * Focus `ref`'s element when the view arrives while focus is nowhere (on the body: a
 * sign-in form that went, a view replaced by another), so a keyboard or screen reader
 * starts at the view's heading instead of the top of the page. Give the element
 * tabindex="-1". Focus a user has put somewhere stays there.
 */
export function useFocusOnArrival(ref) {
  useEffect(() => {
    const active = document.activeElement;
    if (!active || active === document.body || active.tagName === "MAIN") ref.current?.focus({ preventScroll: true });
  }, []);
}

/**
 * A modal <dialog> (`ref`) shown while `target` is set: showModal() when it opens,
 * remembering what had the focus; `onOpen(dialog)` each time `target` changes to one
 * (reset the form, focus its first field); close() when `target` goes, and the focus
 * back to what opened it.
 *
 * Returns the dialog's `onClose` handler: Escape closes the dialog natively and its
 * "close" event comes later, as a task of its own; `onDismiss()` runs only for the
 * opening it closed. A late event, after the user had already opened the dialog again
 * (Chromium runs a key press before queued tasks), would otherwise dismiss the new one.
 */
export function useModal(ref, target, onOpen, onDismiss) {
  const opener = useRef(null);
  const shown = useRef(null); // the target the dialog is open for
  const latest = useRef(target);
  latest.current = target;
  useEffect(() => {
    const el = ref.current;
    if (!target) {
      if (el.open) el.close();
      if (opener.current?.isConnected) opener.current.focus();
      opener.current = null;
      shown.current = null;
      return;
    }
    if (!el.open) {
      opener.current = document.activeElement;
      el.showModal();
    }
    shown.current = target;
    onOpen(el);
  }, [target]);
  return () => {
    if (ref.current?.open || !shown.current || shown.current !== latest.current) return;
    shown.current = null;
    onDismiss();
  };
}

const TABBABLE = "button, input, select, textarea, a[href], summary, [tabindex]:not([tabindex='-1'])";

/**
 * A modal dialog's onKeyDown: Tab from its last control goes to its first, Shift+Tab
 * from its first to its last (the browser would go on to its own toolbar). A radio
 * group is one stop, entered at its checked radio.
 */
export function keepFocusIn(ev) {
  if (ev.key !== "Tab") return;
  const items = [...ev.currentTarget.querySelectorAll(TABBABLE)].filter(
    (el) => !el.disabled && el.getClientRects().length > 0,
  );
  if (!items.length) return;
  const group = (el) => (el.type === "radio" ? items.filter((i) => i.type === "radio" && i.name === el.name) : [el]);
  const active = document.activeElement;
  const [first, last] = [group(items[0]), group(items.at(-1))];
  const target = ev.shiftKey
    ? first.includes(active) && (last.find((r) => r.checked) ?? last[0])
    : last.includes(active) && (first.find((r) => r.checked) ?? first[0]);
  if (target) {
    ev.preventDefault();
    target.focus();
  }
}
