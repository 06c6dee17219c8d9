import { CloudUploadOutlined, DownloadOutlined, FileTextOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Collapse, Descriptions, Progress, Space, Table, Tag, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type ImportIssue, type ImportJob } from '../api/client';
import { keys, useImport, useImports } from '../api/queries';
import { useCurrentOrg } from '../auth/OrgContext';
import { PageHeader } from '../components/PageHeader';
import { PageError, PageLoading } from '../components/PageState';
import { errorText } from '../lib/errors';
import { useFormat } from '../lib/hooks';
import { useMediaQuery } from '../lib/useMediaQuery';
import { ImportActivationLinks } from './ActivationLinks';

const REPORT_PAGE = 50;
const LIST_PAGE = 10;

const CSV_EXAMPLE = `external_id,email,display_name,departments,primary_department,leader_of
E1001,wei.zhang@example.com,张伟,Engineering/Backend;Engineering/Platform,Engineering/Backend,Engineering/Backend
E1002,na.li@example.com,李娜,Sales,,`;

const JSON_EXAMPLE = `{
  "departments": [{ "external_id": "D10", "path": "Engineering/Backend" }],
  "users": [
    { "external_id": "E1001", "email": "wei.zhang@example.com", "display_name": "张伟",
      "departments": ["D10"], "primary_department": "D10" }
  ]
}`;

function StatusTag({ status }: { status: ImportJob['status'] }) {
  const { t } = useTranslation();
  switch (status) {
    case 'queued':
      return <Tag>{t('imports.queued')}</Tag>;
    case 'running':
      return <Tag color="processing">{t('imports.running')}</Tag>;
    case 'done':
      return <Tag color="green">{t('imports.done')}</Tag>;
    case 'failed':
      return <Tag color="red">{t('imports.failed')}</Tag>;
  }
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** contentTypes are what each kind of file is sent as. */
const contentTypes = { json: 'application/json', csv: 'text/csv', xlsx: XLSX_TYPE } as const;

/** kindOf decides how to send a file: by its name, since browsers label CSV files inconsistently. */
function kindOf(file: File): keyof typeof contentTypes | undefined {
  const name = file.name.toLowerCase();
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.csv') || name.endsWith('.txt')) return 'csv';
  if (name.endsWith('.xlsx')) return 'xlsx';
  return undefined;
}

/** readBytes reads a chosen file. */
function readBytes(file: File): Promise<ArrayBuffer> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer);
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(file);
  });
}

/** ImportPage uploads users and departments in bulk and follows the job to its per-row report. */
export default function ImportPage() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const format = useFormat();
  const { org } = useCurrentOrg();
  const mobile = useMediaQuery('(max-width: 575.98px)');
  const [file, setFile] = useState<File>();
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<string>();
  const [current, setCurrent] = useState<string>();
  const [listPage, setListPage] = useState(1);
  const jobs = useImports(org?.id, { limit: LIST_PAGE, offset: (listPage - 1) * LIST_PAGE });
  if (!org) return null;
  const orgID = org.id;
  const admin = `/api/v1/admin/orgs/${orgID}`;
  // The template's instructions come in the language the console is shown in.
  const lang = i18n.language.startsWith('zh') ? 'zh-CN' : 'en';

  const start = async () => {
    if (!file) return;
    const kind = kindOf(file);
    if (!kind) {
      setError(t('errors.unsupportedType'));
      return;
    }
    setUploading(true);
    setError(undefined);
    try {
      const job = await unwrap(
        api.POST('/api/v1/admin/orgs/{orgID}/imports', {
          params: { path: { orgID } },
          // The file's bytes go as they are: the server reads JSON, CSV or a workbook by the
          // Content-Type (and a workbook by its content).
          body: (await readBytes(file)) as never,
          bodySerializer: (body: unknown) => body as BodyInit,
          headers: { 'Content-Type': contentTypes[kind] },
        }),
      );
      setCurrent(job.id);
      setFile(undefined);
      void queryClient.invalidateQueries({ queryKey: keys.imports(orgID) });
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setUploading(false);
    }
  };

  return (
    <>
      <PageHeader title={t('imports.title')} description={org.name} />
      <div className="card-stack">
        <Card title={<h2>{t('imports.upload')}</h2>}>
          <p className="card-intro">{t('imports.intro')}</p>
          {error && <Alert type="error" showIcon message={error} role="alert" className="form-alert" />}
          <Upload.Dragger
            accept={`.csv,.xlsx,.json,text/csv,application/json,${XLSX_TYPE}`}
            multiple={false}
            showUploadList={false}
            beforeUpload={(f) => {
              setFile(f);
              setError(undefined);
              return false;
            }}
            aria-label={t('imports.choose')}
          >
            <p className="ant-upload-drag-icon">
              <CloudUploadOutlined aria-hidden />
            </p>
            <p className="ant-upload-text">{t('imports.drop')}</p>
            <p className="ant-upload-hint">{t('imports.hint')}</p>
          </Upload.Dragger>
          {file && (
            <div className="import-chosen">
              <FileTextOutlined aria-hidden />
              <span className="import-file-name">{file.name}</span>
              <span className="muted">{t('imports.size', { kb: Math.max(1, Math.round(file.size / 1024)) })}</span>
              <Button type="primary" onClick={start} loading={uploading}>
                {t('imports.start')}
              </Button>
            </div>
          )}
          <Space wrap className="import-templates">
            <span>{t('imports.template')}</span>
            <Button size="small" icon={<DownloadOutlined aria-hidden />} href={`${admin}/imports/template?format=xlsx&lang=${lang}`} download>
              {t('imports.templateXlsx')}
            </Button>
            <Button size="small" icon={<DownloadOutlined aria-hidden />} href={`${admin}/imports/template?format=csv&lang=${lang}`} download>
              {t('imports.templateCsv')}
            </Button>
          </Space>
          <Collapse
            className="import-help"
            size="small"
            items={[
              {
                key: 'csv',
                label: t('imports.csvHelpTitle'),
                children: (
                  <>
                    <p>{t('imports.csvHelp')}</p>
                    <pre className="json-block">{CSV_EXAMPLE}</pre>
                  </>
                ),
              },
              {
                key: 'json',
                label: t('imports.jsonHelpTitle'),
                children: (
                  <>
                    <p>{t('imports.jsonHelp')}</p>
                    <pre className="json-block">{JSON_EXAMPLE}</pre>
                  </>
                ),
              },
            ]}
          />
        </Card>
        <Card title={<h2>{t('imports.export')}</h2>}>
          <p className="card-intro">{t('imports.exportIntro')}</p>
          <Space wrap>
            <Button icon={<DownloadOutlined aria-hidden />} href={`${admin}/people/export?format=xlsx`} download>
              {t('imports.exportPeopleXlsx')}
            </Button>
            <Button icon={<DownloadOutlined aria-hidden />} href={`${admin}/people/export?format=csv`} download>
              {t('imports.exportPeopleCsv')}
            </Button>
            <Button icon={<DownloadOutlined aria-hidden />} href={`${admin}/departments/export?format=xlsx`} download>
              {t('imports.exportDepartmentsXlsx')}
            </Button>
            <Button icon={<DownloadOutlined aria-hidden />} href={`${admin}/departments/export?format=csv`} download>
              {t('imports.exportDepartmentsCsv')}
            </Button>
          </Space>
        </Card>
        {current && <ImportProgress orgID={orgID} id={current} />}
        <Card title={<h2>{t('imports.recent')}</h2>}>
          {jobs.isError ? (
            <PageError error={jobs.error} onRetry={() => jobs.refetch()} />
          ) : (
            <Table<ImportJob>
              rowKey="id"
              size="small"
              loading={jobs.isPending}
              dataSource={jobs.data?.items ?? []}
              scroll={mobile ? undefined : { x: 'max-content' }}
              locale={{ emptyText: t('imports.none') }}
              pagination={{
                current: listPage,
                pageSize: LIST_PAGE,
                total: jobs.data?.total ?? 0,
                onChange: setListPage,
                hideOnSinglePage: true,
                showSizeChanger: false,
              }}
              columns={[
                { title: t('imports.created'), key: 'created', render: (_, j) => format.dateTime(j.created_at) },
                { title: t('imports.format'), key: 'format', render: (_, j) => j.format.toUpperCase(), responsive: ['sm'] },
                { title: t('imports.status'), key: 'status', render: (_, j) => <StatusTag status={j.status} /> },
                { title: t('imports.rows'), key: 'rows', render: (_, j) => t('imports.rowsSummary', { applied: j.applied_rows, failed: j.failed_rows, total: j.total_rows }) },
                {
                  title: <span className="visually-hidden">{t('common.actions')}</span>,
                  key: 'actions',
                  render: (_, j) => (
                    <Button size="small" onClick={() => setCurrent(j.id)} disabled={current === j.id}>
                      {t('imports.view')}
                    </Button>
                  ),
                },
              ]}
            />
          )}
        </Card>
      </div>
    </>
  );
}

function ImportProgress({ orgID, id }: { orgID: string; id: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const queryClient = useQueryClient();
  const [page, setPage] = useState(1);
  const job = useImport(orgID, id, { limit: REPORT_PAGE, offset: (page - 1) * REPORT_PAGE });
  const [finished, setFinished] = useState<string>();
  const j = job.data;
  const ended = j && (j.status === 'done' || j.status === 'failed');
  if (ended && finished !== j.id) {
    // The directory and the list changed: refresh them once the job ends.
    setFinished(j.id);
    void queryClient.invalidateQueries({ queryKey: keys.imports(orgID) });
    void queryClient.invalidateQueries({ queryKey: keys.directory(orgID) });
    void queryClient.invalidateQueries({ queryKey: keys.members(orgID) });
  }

  return (
    <Card title={<h2>{t('imports.job')}</h2>} extra={j && <StatusTag status={j.status} />}>
      {job.isPending ? (
        <PageLoading />
      ) : job.isError ? (
        <PageError error={job.error} onRetry={() => job.refetch()} />
      ) : (
        <>
          <div aria-live="polite">
            <Progress
              percent={j!.total_rows ? Math.floor((j!.processed_rows / j!.total_rows) * 100) : ended ? 100 : 0}
              status={j!.status === 'failed' ? 'exception' : ended ? (j!.failed_rows ? 'normal' : 'success') : 'active'}
              strokeColor={j!.status === 'failed' ? undefined : '#177245'}
              aria-label={t('imports.progress')}
            />
            <p className="muted">{t('imports.processed', { processed: j!.processed_rows, total: j!.total_rows })}</p>
          </div>
          {j!.failure && <Alert type="error" showIcon className="form-alert" message={t('imports.jobFailed')} description={j!.failure.message} />}
          {ended && (
            <Descriptions
              size="small"
              column={{ xs: 1, sm: 2, md: 3 }}
              items={[
                { key: 'created', label: t('imports.createdRows'), children: j!.created_rows },
                { key: 'updated', label: t('imports.updatedRows'), children: j!.updated_rows },
                { key: 'unchanged', label: t('imports.unchangedRows'), children: j!.unchanged_rows },
                { key: 'failed', label: t('imports.failedRows'), children: j!.failed_rows },
                { key: 'finished', label: t('imports.finished'), children: format.dateTime(j!.finished_at) },
              ]}
            />
          )}
          {ended && j!.issues && j!.issues.total > 0 && (
            <section className="import-report">
              <h3 className="section-title">{t('imports.report')}</h3>
              {j!.issues.truncated && <Alert type="warning" showIcon className="form-alert" message={t('imports.truncated', { total: j!.failed_rows })} />}
              <Table<ImportIssue>
                rowKey={(i) => `${i.kind}-${i.row}-${i.code}`}
                size="small"
                dataSource={j!.issues.items}
                scroll={{ x: 'max-content' }}
                pagination={{
                  current: page,
                  pageSize: REPORT_PAGE,
                  total: j!.issues.total,
                  onChange: setPage,
                  hideOnSinglePage: true,
                  showSizeChanger: false,
                }}
                columns={[
                  { title: t('imports.row'), key: 'row', render: (_, i) => i.row },
                  { title: t('imports.kind'), key: 'kind', render: (_, i) => (i.kind === 'user' ? t('imports.kindUser') : t('imports.kindDepartment')) },
                  { title: t('imports.externalID'), key: 'ext', render: (_, i) => <code>{i.external_id}</code> },
                  { title: t('imports.reason'), key: 'reason', render: (_, i) => <span><code className="permission-code">{i.code}</code> {i.message}</span> },
                ]}
              />
            </section>
          )}
          {ended && j!.failed_rows === 0 && !j!.failure && <Alert type="success" showIcon message={t('imports.allApplied')} />}
          {ended && j!.created_rows > 0 && <ImportActivationLinks key={j!.id} orgID={orgID} importID={j!.id} />}
        </>
      )}
    </Card>
  );
}
