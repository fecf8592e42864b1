"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/client/trpc";
import { errorMessage, formatBytes } from "@/client/format";
import { MAX_STYLES } from "@/shared/constants";
import type { JobMode } from "@/shared/jobSchemas";
import { ExampleStyles } from "./ExampleStyles";
import { HistoryList } from "./HistoryList";
import { ImagePicker, type PickedImage } from "./ImagePicker";
import { JobPanel } from "./JobPanel";
import { buildJobInput, DEFAULT_SETTINGS, ModeControls, type ControlSettings } from "./ModeControls";

// The open job lives in the URL fragment, so a reload (or a shared link) reopens it.
const JOB_HASH = /^#job=([A-Za-z0-9_-]+)$/;

/** The whole page: inputs and controls on the left, the open job on the right, history below. */
export function PasticheApp() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const info = useQuery(trpc.system.info.queryOptions(undefined, { staleTime: 60_000 }));
  const limits = info.data?.limits;

  const [content, setContent] = useState<PickedImage | null>(null);
  const [styles, setStyles] = useState<PickedImage[]>([]);
  const [mode, setMode] = useState<JobMode>("fast");
  const [settings, setSettings] = useState<ControlSettings>(DEFAULT_SETTINGS);
  const [jobId, setJobId] = useState<string | null>(null);

  useEffect(() => {
    const match = JOB_HASH.exec(window.location.hash);
    if (match) setJobId(match[1]!);
  }, []);
  useEffect(() => {
    if (jobId !== null) window.history.replaceState(null, "", `#job=${jobId}`);
  }, [jobId]);

  const create = useMutation(
    trpc.jobs.create.mutationOptions({
      onSuccess: ({ id }) => {
        setJobId(id);
        void queryClient.invalidateQueries(trpc.jobs.list.pathFilter());
      },
    }),
  );

  const addStyle = (image: PickedImage) => {
    setStyles((ss) => (ss.some((s) => s.id === image.id) || ss.length >= MAX_STYLES ? ss : [...ss, image]));
  };
  const removeStyle = (id: string) => {
    setStyles((ss) => ss.filter((s) => s.id !== id));
  };

  const missing =
    info.data?.models[mode] === false
      ? `The ${mode === "fast" ? "Fast" : "Quality"} model is not installed on this server.`
      : content === null
        ? "Choose a content image."
        : styles.length === 0
          ? "Choose at least one style image."
          : null;

  function run(): void {
    if (content === null || styles.length === 0) return;
    create.mutate(
      buildJobInput(
        mode,
        settings,
        content.id,
        styles.map((s) => s.id),
      ),
    );
  }

  return (
    <>
      <header className="header">
        <h1>Pastiche</h1>
        <p>Repaint a photo in the style of a painting.</p>
        {info.data && <span className="backend">Backend: {info.data.backend}</span>}
      </header>
      <main className="layout">
        <div className="stack">
          {info.isError && (
            <p role="alert" className="alert">
              The server did not answer: {errorMessage(info.error)}
            </p>
          )}
          <ImagePicker
            role="content"
            label="Content image"
            multiple={false}
            images={content === null ? [] : [content]}
            maxUploadBytes={limits?.maxUploadBytes}
            onAdd={setContent}
            onRemove={() => {
              setContent(null);
            }}
          />
          <ImagePicker
            role="style"
            label="Style images"
            multiple
            images={styles}
            maxUploadBytes={limits?.maxUploadBytes}
            maxImages={MAX_STYLES}
            onAdd={addStyle}
            onRemove={removeStyle}
          >
            <ExampleStyles
              examples={info.data?.examples ?? []}
              selectedIds={styles.map((s) => s.id)}
              full={styles.length >= MAX_STYLES}
              onToggle={(example) => {
                if (styles.some((s) => s.id === example.id)) removeStyle(example.id);
                else addStyle(example);
              }}
            />
          </ImagePicker>
          <div>
            <ModeControls
              mode={mode}
              onModeChange={setMode}
              settings={settings}
              onChange={setSettings}
              styles={styles}
              limits={limits}
              models={info.data?.models}
            />
            <button
              type="button"
              className="button run"
              onClick={run}
              disabled={missing !== null || create.isPending}
              aria-describedby="run-hint"
              data-testid="run-button"
            >
              {create.isPending ? "Starting…" : mode === "fast" ? "Stylise (Fast)" : "Stylise (Quality)"}
            </button>
            {missing !== null && (
              <p className="hint" id="run-hint">
                {missing}
              </p>
            )}
            {create.isError && (
              <p role="alert" className="alert" data-testid="run-error">
                {errorMessage(create.error)}
              </p>
            )}
          </div>
        </div>

        <section className="panel" aria-label="Result" data-testid="output">
          {jobId === null ? (
            <p className="output-empty">Choose a photo and a style, then press Stylise. The result appears here.</p>
          ) : (
            <JobPanel
              key={jobId}
              jobId={jobId}
              onDeleted={() => {
                setJobId(null);
                window.history.replaceState(null, "", window.location.pathname);
              }}
            />
          )}
        </section>

        <HistoryList selectedId={jobId} onOpen={setJobId} />
        {info.data && (
          <p className="hint" data-testid="storage">
            Your work on this server: {formatBytes(info.data.storage.usedBytes)} of {formatBytes(info.data.storage.quotaBytes)}, private to this browser,
            deleted{" "}
            {info.data.storage.retentionHours >= 48
              ? `${Math.round(info.data.storage.retentionHours / 24)} days`
              : `${Math.round(info.data.storage.retentionHours * 10) / 10} hours`}{" "}
            after it was made.
          </p>
        )}
      </main>
    </>
  );
}
