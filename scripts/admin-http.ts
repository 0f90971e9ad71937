import https from 'node:https';

/**
 * One request to the test control plane as its token admin. Scripts use it before any kubeconfig exists
 * (readiness, CRDs); the server's certificate is self-signed then, so it is not verified here.
 */
export function adminRequest(
    server: string,
    token: string,
    method: string,
    urlPath: string,
    body?: unknown,
    contentType = 'application/json',
): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = https.request(`${server}${urlPath}`, {
            method,
            rejectUnauthorized: false,
            headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': contentType }) },
        });
        req.on('response', (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        if (body !== undefined) req.write(JSON.stringify(body));
        req.end();
    });
}
