import { Button, Checkbox, DatePicker, InputNumber, Radio, Select, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateInZone, weekdayOf } from './dates';
import { MAX_COUNT, WEEKDAYS, defaultRecurrence, parseRRule, recurrenceSummary, toRRule, weekdayName, type Recurrence, type RepeatKind } from './rrule';

interface Props {
  /** The task's rule as the server has it ("" none). */
  value: string;
  /** The series repeats from the due date; without one there is nothing to repeat. */
  dueAt?: string | null;
  /** The zone of the due date, for the days of the rule and its last day. */
  timeZone: string;
  disabled?: boolean;
  saving?: boolean;
  onSave: (rule: string) => void;
}

/**
 * RecurrenceEditor sets how a task repeats, in plain words in the UI language ("Every week on
 * Monday", "每周一"), and writes it as an RRULE: none, daily, every weekday, weekly on chosen
 * days, monthly on day N or on the last <weekday>, yearly; every N; ending never, after N times
 * or on a date.
 */
export function RecurrenceEditor({ value, dueAt, timeZone, disabled, saving, onSave }: Props) {
  const { t, i18n } = useTranslation();
  const [model, setModel] = useState<Recurrence>(() => parseRRule(value, timeZone));
  useEffect(() => setModel(parseRRule(value, timeZone)), [value, timeZone]);
  const due = useMemo(() => {
    if (!dueAt) return undefined;
    const day = dateInZone(dueAt, timeZone);
    return { weekday: weekdayOf(day), monthDay: day.d };
  }, [dueAt, timeZone]);
  const rule = toRRule(model, timeZone);
  const formatDay = (ymd: string) => {
    const d = dayjs(ymd);
    return d.isValid() ? new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${ymd}T00:00:00Z`)) : ymd;
  };
  const summary = recurrenceSummary(t, model, formatDay);
  const set = (patch: Partial<Recurrence>) => setModel((m) => ({ ...m, ...patch }));
  const changeKind = (kind: RepeatKind) => setModel((m) => ({ ...defaultRecurrence(kind, due), ends: m.ends, count: m.count, until: m.until }));
  const unit =
    model.kind === 'daily'
      ? t('tasks.repeat.unit.days')
      : model.kind === 'weekly'
        ? t('tasks.repeat.unit.weeks')
        : model.kind === 'monthly_day' || model.kind === 'monthly_last'
          ? t('tasks.repeat.unit.months')
          : t('tasks.repeat.unit.years');
  const off = disabled || !dueAt;
  const kinds: { value: RepeatKind; label: string }[] = [
    { value: 'none', label: t('tasks.repeat.kind.none') },
    { value: 'daily', label: t('tasks.repeat.kind.daily') },
    { value: 'weekdays', label: t('tasks.repeat.kind.weekdays') },
    { value: 'weekly', label: t('tasks.repeat.kind.weekly') },
    { value: 'monthly_day', label: t('tasks.repeat.kind.monthlyDay') },
    { value: 'monthly_last', label: t('tasks.repeat.kind.monthlyLast') },
    { value: 'yearly', label: t('tasks.repeat.kind.yearly') },
  ];
  if (model.kind === 'custom') kinds.push({ value: 'custom', label: t('tasks.repeat.kind.custom') });

  return (
    <div className="recurrence-editor" data-testid="recurrence-editor" role="group" aria-label={t('tasks.repeat.title')}>
      {!dueAt && <Typography.Text type="secondary">{t('tasks.repeat.needsDue')}</Typography.Text>}
      <Space wrap>
        <Select
          aria-label={t('tasks.repeat.title')}
          data-testid="recurrence-kind"
          value={model.kind}
          onChange={changeKind}
          options={kinds}
          disabled={off}
          popupMatchSelectWidth={false}
          style={{ minWidth: 180 }}
        />
        {model.kind !== 'none' && model.kind !== 'weekdays' && model.kind !== 'custom' && (
          <Space.Compact>
            <span className="recurrence-every">{t('tasks.repeat.every')}</span>
            <InputNumber
              aria-label={t('tasks.repeat.interval')}
              data-testid="recurrence-interval"
              min={1}
              max={99}
              value={model.interval}
              onChange={(v) => set({ interval: v ?? 1 })}
              disabled={off}
              style={{ width: 72 }}
            />
            <span className="recurrence-unit">{unit}</span>
          </Space.Compact>
        )}
      </Space>
      {model.kind === 'weekly' && (
        <Checkbox.Group
          aria-label={t('tasks.repeat.onDays')}
          className="recurrence-days"
          value={model.days}
          disabled={off}
          onChange={(days) => set({ days: days as Recurrence['days'] })}
          options={WEEKDAYS.map((d) => ({ value: d, label: weekdayName(t, d) }))}
        />
      )}
      {model.kind === 'monthly_day' && (
        <Space>
          <span>{t('tasks.repeat.onDay')}</span>
          <InputNumber
            aria-label={t('tasks.repeat.onDay')}
            min={1}
            max={31}
            value={model.monthDay}
            onChange={(v) => set({ monthDay: v ?? 1 })}
            disabled={off}
          />
        </Space>
      )}
      {model.kind === 'monthly_last' && (
        <Space>
          <span>{t('tasks.repeat.onLast')}</span>
          <Select
            aria-label={t('tasks.repeat.onLast')}
            value={model.weekday}
            onChange={(weekday) => set({ weekday })}
            options={WEEKDAYS.map((d) => ({ value: d, label: weekdayName(t, d) }))}
            disabled={off}
            style={{ minWidth: 100 }}
          />
        </Space>
      )}
      {model.kind !== 'none' && model.kind !== 'custom' && (
        <Radio.Group
          aria-label={t('tasks.repeat.ends')}
          className="recurrence-ends"
          value={model.ends}
          disabled={off}
          onChange={(e) => set({ ends: e.target.value })}
        >
          <Radio value="never">{t('tasks.repeat.endsNever')}</Radio>
          <Radio value="count">
            <Space>
              {t('tasks.repeat.endsAfter')}
              <InputNumber
                aria-label={t('tasks.repeat.count')}
                min={1}
                max={MAX_COUNT}
                value={model.count}
                onChange={(v) => set({ count: v ?? 1, ends: 'count' })}
                disabled={off}
                style={{ width: 80 }}
              />
              {t('tasks.repeat.times')}
            </Space>
          </Radio>
          <Radio value="until">
            <Space>
              {t('tasks.repeat.endsOn')}
              <DatePicker
                aria-label={t('tasks.repeat.untilDate')}
                value={model.until ? dayjs(model.until) : null}
                onChange={(d) => set({ until: d ? d.format('YYYY-MM-DD') : undefined, ends: 'until' })}
                disabled={off}
              />
            </Space>
          </Radio>
        </Radio.Group>
      )}
      <div className="recurrence-summary">
        <Typography.Text data-testid="recurrence-summary">{summary}</Typography.Text>
        {rule && (
          <Typography.Text type="secondary" code className="recurrence-rule">
            {rule}
          </Typography.Text>
        )}
      </div>
      <Button
        size="small"
        type="primary"
        data-testid="recurrence-save"
        disabled={off || rule === value || (model.kind === 'weekly' && model.days.length === 0)}
        loading={saving}
        onClick={() => onSave(rule)}
      >
        {t('tasks.repeat.save')}
      </Button>
    </div>
  );
}
