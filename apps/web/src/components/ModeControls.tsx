"use client";

import { useId, useState } from "react";
import { FAST_DEFAULT_SIZE, GATYS_PRESETS, WEB_QUALITY_DEFAULTS, type GatysPresetName } from "@pastiche/core/light";
import type { HostedLimits, JobCreateInput, JobMode, QualityJobOptions } from "@/shared/jobSchemas";

export type PreserveColors = QualityJobOptions["preserveColors"];

/** The controls' values for both modes, kept together so switching mode loses nothing. */
export interface ControlSettings {
  /** Fast: 1 is the full style, 0 the content unchanged. */
  strength: number;
  fastSize: number;
  qualitySize: number;
  /** Quality: a textbook preset (its own iterations and weights), or "" for the default schedule. */
  preset: GatysPresetName | "";
  iterations: number;
  /** Quality: log10 of the style weight, so one slider spans the useful 1e-4…1e2 range evenly. */
  styleWeightLog10: number;
  preserveColors: PreserveColors;
  /** Blend weight per style image id; missing ids weigh 1. */
  blendWeights: Record<string, number>;
}

export const DEFAULT_SETTINGS: ControlSettings = {
  strength: 1,
  fastSize: FAST_DEFAULT_SIZE,
  qualitySize: WEB_QUALITY_DEFAULTS.size,
  preset: "",
  iterations: WEB_QUALITY_DEFAULTS.iterations,
  styleWeightLog10: -2, // core's (and the TensorFlow tutorial's) default of 1e-2
  preserveColors: "none",
  blendWeights: {},
};

/** What jobs.create receives for the current controls. */
export function buildJobInput(mode: JobMode, settings: ControlSettings, contentId: string, styleIds: readonly string[]): JobCreateInput {
  // Blend weights only mean something with several styles; one style keeps core's default.
  const styleBlendWeights = styleIds.length > 1 ? styleIds.map((id) => settings.blendWeights[id] ?? 1) : undefined;
  if (mode === "fast") {
    return {
      mode,
      contentId,
      styleIds: [...styleIds],
      options: { size: settings.fastSize, strength: settings.strength, ...(styleBlendWeights ? { styleBlendWeights } : {}) },
    };
  }
  return {
    mode,
    contentId,
    styleIds: [...styleIds],
    options: {
      size: settings.qualitySize,
      // A preset brings its own iterations and weights (core applies it); else the form's.
      ...(settings.preset
        ? { preset: settings.preset }
        : { iterations: settings.iterations, styleWeight: Number((10 ** settings.styleWeightLog10).toPrecision(6)) }),
      preserveColors: settings.preserveColors,
      ...(styleBlendWeights ? { styleBlendWeights } : {}),
    },
  };
}

interface Props {
  mode: JobMode;
  onModeChange: (mode: JobMode) => void;
  settings: ControlSettings;
  onChange: (settings: ControlSettings) => void;
  styles: readonly { id: string; name: string }[];
  limits: HostedLimits | undefined;
  models: { fast: boolean; quality: boolean } | undefined;
}

/** The Quality schedules offered: the default, then core's presets. */
const SCHEDULES: readonly { value: GatysPresetName | ""; label: string }[] = [
  { value: "", label: "Fastest to a good image (default)" },
  { value: "tutorial", label: `TensorFlow tutorial (Adam, ${GATYS_PRESETS.tutorial.iterations} steps)` },
  { value: "seed", label: `Seed blog (Adam, ${GATYS_PRESETS.seed.iterations} steps, no TV)` },
];

const MODES: readonly { mode: JobMode; title: string; note: string }[] = [
  { mode: "fast", title: "Fast", note: "about a second" },
  { mode: "quality", title: "Quality", note: "Gatys, minutes" },
];

interface NumberFieldProps {
  id: string;
  label: string;
  value: number;
  min: number;
  max: number;
  onCommit: (value: number) => void;
  testId: string;
}

/**
 * An integer input that lets the user type freely: "9" on the way to "96" is below the minimum, so
 * the text is kept as typed and only in-range integers reach the settings; leaving the field shows
 * the value in use again.
 */
function NumberField({ id, label, value, min, max, onCommit, testId }: NumberFieldProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const text = draft ?? String(value);
  const n = Number(text);
  const valid = text.trim() !== "" && Number.isInteger(n) && n >= min && n <= max;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        value={text}
        aria-invalid={!valid}
        aria-describedby={valid ? undefined : `${id}-range`}
        onChange={(e) => {
          const next = e.currentTarget.value;
          setDraft(next);
          const v = Number(next);
          if (next.trim() !== "" && Number.isInteger(v) && v >= min && v <= max) onCommit(v);
        }}
        onBlur={() => {
          setDraft(null);
        }}
        data-testid={testId}
      />
      {!valid && (
        <span className="hint range" id={`${id}-range`}>
          {min}–{max}; using {value}
        </span>
      )}
    </div>
  );
}

export function ModeControls({ mode, onModeChange, settings, onChange, styles, limits, models }: Props) {
  const id = useId();
  const maxSide = limits?.maxOutputSide ?? 1024;
  const maxIterations = limits?.maxIterations ?? 1000;
  const set = (patch: Partial<ControlSettings>) => {
    onChange({ ...settings, ...patch });
  };
  const unavailable = models !== undefined && !models[mode];

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="mode-controls">
      <h2 id={`${id}-title`}>Mode</h2>
      <div className="modes" role="radiogroup" aria-label="Mode">
        {MODES.map((m) => (
          <label key={m.mode} className={mode === m.mode ? "selected" : undefined}>
            <input
              type="radio"
              name={`${id}-mode`}
              value={m.mode}
              checked={mode === m.mode}
              onChange={() => {
                onModeChange(m.mode);
              }}
              data-testid={`mode-${m.mode}`}
            />
            {m.title}
            <small>{m.note}</small>
          </label>
        ))}
      </div>
      {unavailable && (
        <p role="alert" className="alert">
          The {mode === "fast" ? "Fast" : "Quality"} model is not installed on this server.
        </p>
      )}

      {mode === "fast" ? (
        <>
          <div className="field">
            <label htmlFor={`${id}-strength`}>Strength</label>
            <input
              id={`${id}-strength`}
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={settings.strength}
              onChange={(e) => {
                set({ strength: Number(e.currentTarget.value) });
              }}
              data-testid="strength"
            />
            <output htmlFor={`${id}-strength`}>{Math.round(settings.strength * 100)}%</output>
          </div>
          <NumberField
            id={`${id}-fast-size`}
            label="Output size (px)"
            value={settings.fastSize}
            min={8}
            max={maxSide}
            onCommit={(v) => {
              set({ fastSize: v });
            }}
            testId="size"
          />
        </>
      ) : (
        <>
          <div className="field">
            <label htmlFor={`${id}-schedule`}>Schedule</label>
            <select
              id={`${id}-schedule`}
              value={settings.preset}
              onChange={(e) => {
                set({ preset: e.currentTarget.value as GatysPresetName | "" });
              }}
              data-testid="preset"
            >
              {SCHEDULES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
          <NumberField
            id={`${id}-quality-size`}
            label="Output size (px)"
            value={settings.qualitySize}
            min={16}
            max={maxSide}
            onCommit={(v) => {
              set({ qualitySize: v });
            }}
            testId="size"
          />
          {settings.preset ? (
            <p className="hint" data-testid="preset-note">
              The preset sets the iterations and the loss weights.
            </p>
          ) : (
            <>
              <div className="field">
                <label htmlFor={`${id}-style-weight`}>Style weight</label>
                <input
                  id={`${id}-style-weight`}
                  type="range"
                  min={-4}
                  max={2}
                  step={0.25}
                  value={settings.styleWeightLog10}
                  aria-valuetext={(10 ** settings.styleWeightLog10).toExponential(1)}
                  onChange={(e) => {
                    set({ styleWeightLog10: Number(e.currentTarget.value) });
                  }}
                  data-testid="style-weight"
                />
                <output htmlFor={`${id}-style-weight`}>{(10 ** settings.styleWeightLog10).toExponential(1)}</output>
              </div>
              <NumberField
                id={`${id}-iterations`}
                label="Iterations"
                value={settings.iterations}
                min={1}
                max={maxIterations}
                onCommit={(v) => {
                  set({ iterations: v });
                }}
                testId="iterations"
              />
            </>
          )}
          <div className="field">
            <label htmlFor={`${id}-colors`}>Preserve colours</label>
            <select
              id={`${id}-colors`}
              value={settings.preserveColors}
              onChange={(e) => {
                set({ preserveColors: e.currentTarget.value as PreserveColors });
              }}
              data-testid="preserve-colors"
            >
              <option value="none">No: take the style&apos;s colours</option>
              <option value="luminance">Keep the photo&apos;s colours (luminance)</option>
              <option value="histogram">Match the photo&apos;s colours (histogram)</option>
            </select>
          </div>
        </>
      )}

      {styles.length > 1 && (
        <fieldset className="field-group">
          <legend className="hint">Blend weights</legend>
          {styles.map((style) => {
            const weight = settings.blendWeights[style.id] ?? 1;
            return (
              <div className="field" key={style.id}>
                <label htmlFor={`${id}-blend-${style.id}`}>{style.name}</label>
                <input
                  id={`${id}-blend-${style.id}`}
                  type="range"
                  min={0}
                  max={1}
                  step={0.05}
                  value={weight}
                  onChange={(e) => {
                    set({ blendWeights: { ...settings.blendWeights, [style.id]: Number(e.currentTarget.value) } });
                  }}
                  data-testid="blend-weight"
                />
                <output htmlFor={`${id}-blend-${style.id}`}>{weight.toFixed(2)}</output>
              </div>
            );
          })}
        </fieldset>
      )}
    </section>
  );
}
