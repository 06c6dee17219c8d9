import { Spin } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * LinkQRCode draws a QR code of a link, so a phone can open it. The QR library is loaded only
 * when a code is shown, which keeps it out of the app's first download.
 */
export function LinkQRCode({ url }: { url: string }) {
  const { t } = useTranslation();
  const [src, setSrc] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    setSrc(undefined);
    import('qrcode')
      .then((qr) => qr.toDataURL(url, { margin: 1, width: 200, errorCorrectionLevel: 'M' }))
      .then((data) => live && setSrc(data))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [url]);
  if (failed) return null;
  return <div className="link-qr">{src ? <img src={src} alt={t('files.link.qr')} width={200} height={200} /> : <Spin />}</div>;
}
