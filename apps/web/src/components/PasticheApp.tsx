"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/client/trpc";
import { errorMessage, formatBytes } from "@/client/format";
import { browserCanTry, fallbackReason, runFastInBrowser } from "@/client/browserFast";
import { MAX_STYLES } from "@/shared/constants";
import type { JobCreateInput, JobMode } from "@/shared/jobSchemas";
import { BrowserNote, type BrowserRun } from "./BrowserNote";
import { CameraPanel } from "./CameraPanel";
import { ExampleStyles } from "./ExampleStyles";
import { HistoryList } from "./HistoryList";
import { ImagePicker, type PickedImage } from "./ImagePicker";
import { JobPanel } from "./JobPanel";
import { buildJobInput, DEFAULT_SETTINGS, ModeControls, type ControlSettings } from "./ModeControls";

const imageUrl = (id: string): string => `/api/images/${id}`;

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
  /** The last Fast run's in-browser attempt: where it ran and how long it took, or why it went to the server. */
  const [browserRun, setBrowserRun] = useState<BrowserRun | null>(null);
  const [browserBusy, setBrowserBusy] = useState(false);

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

  const keepClientResult = useMutation(
    trpc.jobs.createClientResult.mutationOptions({
      onSuccess: ({ id }) => {
        setJobId(id);
        void queryClient.invalidateQueries(trpc.jobs.list.pathFilter());
        void queryClient.invalidateQueries(trpc.system.info.pathFilter());
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
    const input = buildJobInput(
      mode,
      settings,
      content.id,
      styles.map((s) => s.id),
    );
    setBrowserRun(null);
    if (input.mode === "fast" && info.data?.clientFast === true && browserCanTry()) void runInBrowser(input);
    else create.mutate(input);
  }

  /**
   * A Fast job on this device, kept in the history through jobs.createClientResult; anything that
   * goes wrong (no backend, the models, memory, the upload) sends the same job to the server instead.
   */
  async function runInBrowser(input: Extract<JobCreateInput, { mode: "fast" }>): Promise<void> {
    setBrowserBusy(true);
    try {
      const options = { size: input.options?.size ?? settings.fastSize, strength: input.options?.strength ?? settings.strength };
      const weights = input.options?.styleBlendWeights;
      const result = await runFastInBrowser({
        contentUrl: imageUrl(input.contentId),
        styleUrls: input.styleIds.map(imageUrl),
        options: weights ? { ...options, styleBlendWeights: [...weights] } : options,
      });
      const form = new FormData();
      form.set("file", result.png, "result.png");
      form.set("job", JSON.stringify({ contentId: input.contentId, styleIds: input.styleIds, options: input.options }));
      form.set("backend", result.backend);
      form.set("ms", String(Math.round(result.ms)));
      await keepClientResult.mutateAsync(form);
      setBrowserRun({ kind: "browser", backend: result.backend, ms: result.ms });
    } catch (e) {
      console.warn("pastiche: in-browser Fast run failed, running it on the server instead:", e);
      setBrowserRun({ kind: "fallback", reason: fallbackReason(e) });
      create.mutate(input);
    } finally {
      setBrowserBusy(false);
    }
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
              disabled={missing !== null || create.isPending || browserBusy}
              aria-describedby="run-hint"
              data-testid="run-button"
            >
              {browserBusy ? "Stylising in your browser…" : create.isPending ? "Starting…" : mode === "fast" ? "Stylise (Fast)" : "Stylise (Quality)"}
            </button>
            {missing !== null && (
              <p className="hint" id="run-hint">
                {missing}
              </p>
            )}
            {mode === "fast" && <BrowserNote run={browserRun} enabled={info.data?.clientFast} />}
            {mode === "fast" && info.data?.clientFast === true && styles.length > 0 && <CameraPanel style={styles[0]!} />}
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
