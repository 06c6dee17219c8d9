import { SearchOutlined } from '@ant-design/icons';
import { Input } from 'antd';

/** SearchInput is a list's search box in its toolbar; its placeholder is also its accessible name. */
export function SearchInput({ label, value, onChange }: { label: string; value: string; onChange: (value: string) => void }) {
  return (
    <Input
      allowClear
      type="search"
      prefix={<SearchOutlined aria-hidden />}
      placeholder={label}
      aria-label={label}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      className="toolbar-search"
    />
  );
}
