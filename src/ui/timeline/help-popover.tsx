/** The "?" popover listing the timeline's keyboard and mouse shortcuts. */
const shortcuts: readonly [string, string][] = [
  ["W / S", "zoom in / out (around the mouse, else the centre); hold to keep going"],
  ["A / D", "pan left / right"],
  ["0", "show the whole trace"],
  ["F", "zoom to the selected range or slice"],
  ["← / →", "previous / next slice in the selected slice's row"],
  ["↑ / ↓, Page Up / Down", "scroll rows"],
  ["/", "find (goroutine ID, function, task, region, log)"],
  ["Enter / Shift+Enter", "next / previous match (in the find box)"],
  ["1 / 2 / 3", "proc / thread / goroutine view"],
  ["Escape", "clear the selection and close the panel"],
  ["?", "this help"],
  ["Ctrl + wheel, pinch", "zoom"],
  ["Shift + wheel, swipe", "pan"],
  ["Wheel", "scroll rows"],
  ["Drag", "pan (in select mode: select a range)"],
  ["Shift + drag, drag on axis", "select a time range"],
  ["Click", "details of a slice or mark; click a heading to fold it"],
];

export function HelpPopover({ onClose }: { onClose: () => void }) {
  return (
    <div class="tl-help" role="dialog" aria-label="Timeline shortcuts">
      <div class="tl-help-head">
        <strong>Shortcuts</strong>
        <button type="button" class="tl-icon" aria-label="Close help" onClick={onClose}>
          ×
        </button>
      </div>
      <table>
        <tbody>
          {shortcuts.map(([k, v]) => (
            <tr>
              <th>
                <kbd>{k}</kbd>
              </th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
