import type { ExampleStyle } from "@/shared/jobSchemas";

interface Props {
  examples: readonly ExampleStyle[];
  selectedIds: readonly string[];
  onToggle: (example: ExampleStyle) => void;
  /** No room for another style: only deselecting is possible. */
  full: boolean;
}

/** The server's bundled example styles, toggled like uploaded ones (their ids are upload ids). */
export function ExampleStyles({ examples, selectedIds, onToggle, full }: Props) {
  if (examples.length === 0) return null;
  return (
    <div className="examples-block">
      <h3 className="hint">Or pick an example style</h3>
      <div className="examples" data-testid="example-styles">
        {examples.map((example) => (
          <button
            key={example.id}
            type="button"
            className="example"
            aria-pressed={selectedIds.includes(example.id)}
            aria-label={example.name}
            title={example.name}
            disabled={full && !selectedIds.includes(example.id)}
            onClick={() => {
              onToggle(example);
            }}
            data-testid="example-style"
          >
            <img src={example.thumbnailUrl} alt="" />
          </button>
        ))}
      </div>
    </div>
  );
}
