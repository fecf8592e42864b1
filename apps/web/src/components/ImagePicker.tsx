"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type DragEvent, type ReactNode } from "react";
import { useTRPC } from "@/client/trpc";
import { errorMessage, formatBytes } from "@/client/format";
import type { ImageRole, UploadedImage } from "@/shared/jobSchemas";

/** An image chosen for a job: an upload of this session, or one of the server's example styles. */
export interface PickedImage {
  /** The id jobs.create takes. */
  id: string;
  name: string;
  thumbnailUrl: string;
}

interface Props {
  role: ImageRole;
  label: string;
  multiple: boolean;
  images: readonly PickedImage[];
  maxUploadBytes: number | undefined;
  onAdd: (image: PickedImage) => void;
  onRemove: (id: string) => void;
  /** With `multiple`: how many images a job takes; picks beyond it are refused with a message. */
  maxImages?: number;
  /** Extra choices under the thumbnails (the example styles). */
  children?: ReactNode;
}

/** A file being uploaded: shown at once from a local blob URL while the server checks it. */
interface Pending {
  key: string;
  name: string;
  previewUrl: string;
}

// Types the server decodes; anything else is refused before it leaves the browser.
const ACCEPT = "image/jpeg,image/png,image/webp,image/tiff";

/**
 * Quick checks that need no server: empty files and files over the size limit are refused at once.
 * Whether the bytes really are an image (and how many pixels it has) only the server can tell.
 */
function checkLocally(file: File, maxUploadBytes: number | undefined): string | null {
  if (file.size === 0) return `${file.name} is empty (0 bytes).`;
  if (maxUploadBytes !== undefined && file.size > maxUploadBytes) {
    return `${file.name} is too large (${formatBytes(file.size)}); the limit is ${formatBytes(maxUploadBytes)}.`;
  }
  if (file.type !== "" && !file.type.startsWith("image/")) {
    return `${file.name} is not an image (${file.type}).`;
  }
  return null;
}

export function ImagePicker({ role, label, multiple, images, maxUploadBytes, maxImages, onAdd, onRemove, children }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // A stored upload counts against the visitor's quota, which system.info reports.
  const upload = useMutation(trpc.images.upload.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries(trpc.system.info.pathFilter()) }));
  const inputId = useId();
  const hintId = useId();
  const [pending, setPending] = useState<Pending[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);

  async function uploadOne(file: File): Promise<void> {
    const refusal = checkLocally(file, maxUploadBytes);
    if (refusal !== null) {
      setError(refusal);
      return;
    }
    const key = `${file.name}-${String(Date.now())}-${String(Math.random())}`;
    const previewUrl = URL.createObjectURL(file);
    setPending((ps) => [...ps, { key, name: file.name, previewUrl }]);
    try {
      const form = new FormData();
      form.append("file", file);
      form.append("role", role);
      const uploaded: UploadedImage = await upload.mutateAsync(form);
      onAdd({ id: uploaded.id, name: file.name, thumbnailUrl: uploaded.thumbnailUrl });
    } catch (e) {
      setError(`${file.name}: ${errorMessage(e)}`);
    } finally {
      setPending((ps) => ps.filter((p) => p.key !== key));
      // The blob URL holds the file in memory; the server's thumbnail replaces it.
      URL.revokeObjectURL(previewUrl);
    }
  }

  function handleFiles(list: FileList | null): void {
    if (list === null || list.length === 0) return;
    setError(null);
    let files = multiple ? Array.from(list) : [list[0]!];
    if (multiple && maxImages !== undefined) {
      const room = Math.max(0, maxImages - images.length - pending.length);
      if (files.length > room) {
        const left = files
          .slice(room)
          .map((f) => f.name)
          .join(", ");
        setError(`A job takes at most ${maxImages} ${role} images: ${left} ${files.length - room === 1 ? "was" : "were"} not added.`);
        files = files.slice(0, room);
      }
    }
    // Sequential: uploads are small and the server checks each; order of thumbnails follows the pick.
    void files.reduce((chain, file) => chain.then(() => uploadOne(file)), Promise.resolve());
  }

  function onDrop(event: DragEvent<HTMLLabelElement>): void {
    event.preventDefault();
    setDragging(false);
    handleFiles(event.dataTransfer.files);
  }

  return (
    <section className="panel" aria-labelledby={`${inputId}-title`} data-testid={`${role}-picker`}>
      <h2 id={`${inputId}-title`}>{label}</h2>
      <label
        htmlFor={inputId}
        className={`dropzone${dragging ? " active" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => {
          setDragging(false);
        }}
        onDrop={onDrop}
      >
        <span>
          Drop {multiple ? "images" : "an image"} here or <span className="pick">choose {multiple ? "files" : "a file"}</span>
        </span>
        <span className="hint" id={hintId}>
          JPEG, PNG, WebP or TIFF{maxUploadBytes !== undefined ? `, up to ${formatBytes(maxUploadBytes)}` : ""}
        </span>
        <input
          id={inputId}
          type="file"
          accept={ACCEPT}
          multiple={multiple}
          aria-describedby={hintId}
          data-testid={`${role}-input`}
          onChange={(e) => {
            handleFiles(e.currentTarget.files);
            // Picking the same file again after a refusal must fire change again.
            e.currentTarget.value = "";
          }}
        />
      </label>

      {error !== null && (
        <p role="alert" className="alert" data-testid={`${role}-error`}>
          {error}
        </p>
      )}

      {(images.length > 0 || pending.length > 0) && (
        <ul className="thumbs" aria-label={`${label}: chosen images`}>
          {images.map((image) => (
            <li key={image.id} className="thumb" data-testid={`${role}-thumb`}>
              <img src={image.thumbnailUrl} alt={image.name} />
              <div className="caption">{image.name}</div>
              <button
                type="button"
                className="remove"
                aria-label={`Remove ${image.name}`}
                onClick={() => {
                  onRemove(image.id);
                }}
              >
                ×
              </button>
            </li>
          ))}
          {pending.map((p) => (
            <li key={p.key} className="thumb pending" aria-busy="true" data-testid={`${role}-pending`}>
              <img src={p.previewUrl} alt={`${p.name} (uploading)`} />
              <div className="caption">Uploading…</div>
            </li>
          ))}
        </ul>
      )}
      {children}
    </section>
  );
}
