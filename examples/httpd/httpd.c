/* SPDX-License-Identifier: MIT */
/*
 * Example HTTP/1.1 service for Onyx: plain Linux C that builds and runs
 * natively unchanged, or as an Onyx image. One thread, poll(), nonblocking
 * sockets. Serves files under --root, GET/HEAD with keep-alive, /health,
 * POST /echo (streams the body back), POST /sha256 (digest of the body),
 * GET /bytes/N (N deterministic pseudo-random bytes). Logs each request on
 * stdout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sha256.h"

#define MAX_CONNS 1024
#define REQ_MAX 8192
#define OUT_MAX 65536
#define IDLE_TIMEOUT_MS 30000

enum body_kind { BODY_NONE, BODY_ECHO, BODY_SHA256, BODY_DISCARD };
enum src_kind { SRC_NONE, SRC_FILE, SRC_BYTES };

struct conn {
    int fd;
    char peer[INET_ADDRSTRLEN];
    char req[REQ_MAX];
    size_t req_len;
    /* request body still to read, and what to do with it */
    uint64_t body_left;
    enum body_kind body;
    struct sha256 sha;
    /* response bytes waiting to go out */
    char out[OUT_MAX];
    size_t out_len, out_off;
    /* response body produced after `out` drains */
    enum src_kind src;
    int src_fd;
    uint64_t src_left;
    uint64_t rng;
    bool keep_alive;
    bool close_after;
    bool head;
    /* log line for the request being answered */
    char log_method[8];
    char log_path[256];
    int log_status;
    uint64_t log_bytes;
    struct timespec started;
    int64_t last_active_ms;
};

static struct conn *conns[MAX_CONNS];
static struct pollfd pfds[MAX_CONNS + 1];
static const char *root_dir = ".";
static bool quiet;
static volatile sig_atomic_t stopping;
static uint64_t total_requests;
static int64_t start_ms;

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static void log_request(struct conn *c)
{
    struct timespec end;
    long us;

    if (quiet || c->log_status == 0)
        return;
    clock_gettime(CLOCK_MONOTONIC, &end);
    us = (end.tv_sec - c->started.tv_sec) * 1000000L +
         (end.tv_nsec - c->started.tv_nsec) / 1000;
    printf("httpd: %s \"%s %s\" %d %llu %ldus\n", c->peer, c->log_method,
           c->log_path, c->log_status, (unsigned long long)c->log_bytes, us);
    c->log_status = 0;
}

static void conn_close(int slot)
{
    struct conn *c = conns[slot];

    log_request(c);
    if (c->src_fd >= 0)
        close(c->src_fd);
    close(c->fd);
    free(c);
    conns[slot] = NULL;
}

static void out_append(struct conn *c, const char *data, size_t len)
{
    if (len > OUT_MAX - c->out_len)
        len = OUT_MAX - c->out_len;
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
}

static const char *status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    default: return "Internal Server Error";
    }
}

/* Queues a response head; `extra` holds further "Name: value\r\n"
 * header lines or is empty. */
static void respond_head_with(struct conn *c, int status, const char *type,
                              uint64_t length, const char *extra)
{
    char hdr[512];
    int n;

    n = snprintf(hdr, sizeof(hdr),
                 "HTTP/1.1 %d %s\r\n"
                 "Server: onyx-httpd\r\n"
                 "Content-Type: %s\r\n"
                 "Content-Length: %llu\r\n"
                 "Connection: %s\r\n%s\r\n",
                 status, status_text(status), type, (unsigned long long)length,
                 c->keep_alive ? "keep-alive" : "close", extra);
    out_append(c, hdr, (size_t)n);
    c->log_status = status;
    c->log_bytes = length;
    if (!c->keep_alive)
        c->close_after = true;
}

static void respond_head(struct conn *c, int status, const char *type,
                         uint64_t length)
{
    respond_head_with(c, status, type, length, "");
}

static void respond_text(struct conn *c, int status, const char *body)
{
    size_t len = strlen(body);

    respond_head(c, status, "text/plain", len);
    if (!c->head)
        out_append(c, body, len);
}

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');

    if (!dot)
        return "application/octet-stream";
    if (!strcmp(dot, ".html") || !strcmp(dot, ".htm"))
        return "text/html; charset=utf-8";
    if (!strcmp(dot, ".css"))
        return "text/css";
    if (!strcmp(dot, ".js"))
        return "application/javascript";
    if (!strcmp(dot, ".json"))
        return "application/json";
    if (!strcmp(dot, ".txt"))
        return "text/plain; charset=utf-8";
    if (!strcmp(dot, ".png"))
        return "image/png";
    if (!strcmp(dot, ".svg"))
        return "image/svg+xml";
    return "application/octet-stream";
}

static bool path_is_safe(const char *path)
{
    if (path[0] != '/')
        return false;
    for (const char *p = path; *p; p++)
        if (p[0] == '/' && p[1] == '.' && p[2] == '.' &&
            (p[3] == '/' || p[3] == '\0'))
            return false;
    return true;
}

static void serve_file(struct conn *c, const char *path)
{
    char full[1024];
    struct stat st;
    int fd;

    if (!path_is_safe(path)) {
        respond_text(c, 403, "forbidden\n");
        return;
    }
    snprintf(full, sizeof(full), "%s%s%s", root_dir,
             root_dir[strlen(root_dir) - 1] == '/' ? path + 1 : path,
             path[strlen(path) - 1] == '/' ? "index.html" : "");
    fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        strncat(full, "/index.html", sizeof(full) - strlen(full) - 1);
        fd = open(full, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        respond_text(c, errno == EACCES ? 403 : 404, "not found\n");
        return;
    }
    respond_head(c, 200, content_type(full), (uint64_t)st.st_size);
    if (c->head || st.st_size == 0) {
        close(fd);
        return;
    }
    c->src = SRC_FILE;
    c->src_fd = fd;
    c->src_left = (uint64_t)st.st_size;
}

/* The body has a fixed length so load tools that check lengths (ab) can
 * hammer it; uptime and counters go in headers. */
static void serve_health(struct conn *c)
{
    static const char body[] = "{\"status\":\"ok\"}\n";
    char extra[128];

    snprintf(extra, sizeof(extra),
             "X-Uptime-Ms: %lld\r\n"
             "X-Requests: %llu\r\n",
             (long long)(now_ms() - start_ms),
             (unsigned long long)total_requests);
    respond_head_with(c, 200, "application/json", sizeof(body) - 1, extra);
    if (!c->head)
        out_append(c, body, sizeof(body) - 1);
}

static void serve_bytes(struct conn *c, const char *arg)
{
    char *end;
    unsigned long long n = strtoull(arg, &end, 10);

    if (*arg == '\0' || *end != '\0' || n > (1ull << 32)) {
        respond_text(c, 400, "bad size\n");
        return;
    }
    respond_head(c, 200, "application/octet-stream", n);
    if (c->head || n == 0)
        return;
    c->src = SRC_BYTES;
    c->src_left = n;
    c->rng = 0x9e3779b97f4a7c15ull ^ n;
}

/* Case-insensitive search for a header's value in the request head. */
static const char *header_value(const char *head, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = strstr(head, "\r\n"); p; p = strstr(p, "\r\n")) {
        p += 2;
        if (!strncasecmp(p, name, n) && p[n] == ':') {
            p += n + 1;
            while (*p == ' ' || *p == '\t')
                p++;
            return p;
        }
    }
    return NULL;
}

static bool value_has(const char *v, const char *token)
{
    size_t n = strlen(token);

    for (; v && *v && *v != '\r'; v++)
        if (!strncasecmp(v, token, n))
            return true;
    return false;
}

/* Parses one complete request head and starts its response. */
static void handle_request(struct conn *c, char *head)
{
    char method[8], path[256], version[16];
    const char *cl, *conn_hdr;
    uint64_t length = 0;

    clock_gettime(CLOCK_MONOTONIC, &c->started);
    total_requests++;
    c->keep_alive = false;
    c->head = false;
    if (sscanf(head, "%7s %255s %15s", method, path, version) != 3 ||
        strncmp(version, "HTTP/1.", 7) != 0) {
        snprintf(c->log_method, sizeof(c->log_method), "-");
        snprintf(c->log_path, sizeof(c->log_path), "-");
        respond_text(c, 400, "bad request\n");
        c->close_after = true;
        return;
    }
    snprintf(c->log_method, sizeof(c->log_method), "%s", method);
    snprintf(c->log_path, sizeof(c->log_path), "%s", path);
    char *query = strchr(path, '?');

    if (query)
        *query = '\0';
    conn_hdr = header_value(head, "Connection");
    if (!strcmp(version, "HTTP/1.1"))
        c->keep_alive = !value_has(conn_hdr, "close");
    else
        c->keep_alive = value_has(conn_hdr, "keep-alive");
    cl = header_value(head, "Content-Length");
    if (cl)
        length = strtoull(cl, NULL, 10);
    if (header_value(head, "Transfer-Encoding")) {
        respond_text(c, 400, "chunked bodies are not supported\n");
        c->close_after = true;
        return;
    }

    c->head = !strcmp(method, "HEAD");
    if (!strcmp(method, "POST") || !strcmp(method, "PUT")) {
        c->body_left = length;
        if (!strcmp(path, "/echo")) {
            c->body = BODY_ECHO;
            respond_head(c, 200, "application/octet-stream", length);
        } else if (!strcmp(path, "/sha256")) {
            c->body = BODY_SHA256;
            sha256_init(&c->sha);
        } else {
            c->body = BODY_DISCARD;
            respond_text(c, 405, "method not allowed\n");
        }
        return;
    }
    if (length > 0) {
        /* GET/HEAD with a body: read and drop it to stay in sync. */
        c->body_left = length;
        c->body = BODY_DISCARD;
    }
    if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
        respond_text(c, 405, "method not allowed\n");
        return;
    }
    if (!strcmp(path, "/health"))
        serve_health(c);
    else if (!strncmp(path, "/bytes/", 7))
        serve_bytes(c, path + 7);
    else
        serve_file(c, path);
}

/* Consumes request body bytes already in c->req. */
static void consume_body(struct conn *c)
{
    size_t n = c->req_len < c->body_left ? c->req_len : c->body_left;

    if (n == 0)
        return;
    if (c->body == BODY_ECHO) {
        size_t room;

        /* Reuse a drained output buffer before measuring its room, or a
         * full request buffer could wait forever on an empty one. */
        if (c->out_off == c->out_len)
            c->out_off = c->out_len = 0;
        room = OUT_MAX - c->out_len;

        if (n > room)
            n = room;
        out_append(c, c->req, n);
    } else if (c->body == BODY_SHA256) {
        sha256_update(&c->sha, c->req, n);
    }
    memmove(c->req, c->req + n, c->req_len - n);
    c->req_len -= n;
    c->body_left -= n;
    if (c->body_left == 0 && c->body == BODY_SHA256) {
        uint8_t digest[32];
        char hex[66];

        sha256_final(&c->sha, digest);
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", digest[i]);
        hex[64] = '\n';
        hex[65] = '\0';
        respond_text(c, 200, hex);
    }
    if (c->body_left == 0)
        c->body = BODY_NONE;
}

/* Refills c->out from the response body source once it drained. */
static void fill_out(struct conn *c)
{
    if (c->out_off == c->out_len) {
        c->out_off = 0;
        c->out_len = 0;
    }
    if (c->src == SRC_NONE || c->out_len > OUT_MAX / 2)
        return;
    size_t room = OUT_MAX - c->out_len;
    size_t want = c->src_left < room ? (size_t)c->src_left : room;

    if (c->src == SRC_FILE) {
        ssize_t n = read(c->src_fd, c->out + c->out_len, want);

        if (n <= 0) { /* file shrank or failed: the length is a lie now */
            c->close_after = true;
            c->src_left = 0;
        } else {
            c->out_len += (size_t)n;
            c->src_left -= (uint64_t)n;
        }
    } else {
        for (size_t i = 0; i < want; i++) {
            c->rng ^= c->rng << 13;
            c->rng ^= c->rng >> 7;
            c->rng ^= c->rng << 17;
            c->out[c->out_len + i] = (char)(c->rng >> 24);
        }
        c->out_len += want;
        c->src_left -= want;
    }
    if (c->src_left == 0) {
        if (c->src_fd >= 0)
            close(c->src_fd);
        c->src_fd = -1;
        c->src = SRC_NONE;
    }
}

static bool response_done(const struct conn *c)
{
    return c->out_off == c->out_len && c->src == SRC_NONE &&
           c->body == BODY_NONE;
}

/* Parses as many pipelined requests as possible, one response at a
 * time. */
static void process_input(struct conn *c)
{
    for (;;) {
        if (c->body != BODY_NONE) {
            consume_body(c);
            if (c->body != BODY_NONE)
                return;
        }
        if (!response_done(c) || c->close_after)
            return;
        log_request(c);
        char *end = memmem(c->req, c->req_len, "\r\n\r\n", 4);

        if (!end) {
            if (c->req_len == REQ_MAX) {
                respond_text(c, 431, "request head too large\n");
                c->close_after = true;
            }
            return;
        }
        size_t head_len = (size_t)(end - c->req) + 4;

        end[2] = '\0';
        handle_request(c, c->req);
        memmove(c->req, c->req + head_len, c->req_len - head_len);
        c->req_len -= head_len;
    }
}

/* Returns false when the connection should be closed now. */
static bool conn_step(struct conn *c, short revents)
{
    if (revents & (POLLERR | POLLNVAL))
        return false;
    if ((revents & (POLLIN | POLLHUP)) && c->req_len < REQ_MAX) {
        ssize_t n = recv(c->fd, c->req + c->req_len, REQ_MAX - c->req_len, 0);

        if (n == 0)
            return false;
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return false;
        if (n > 0) {
            c->req_len += (size_t)n;
            c->last_active_ms = now_ms();
        }
    }
    for (;;) {
        process_input(c);
        fill_out(c);
        if (c->out_off == c->out_len)
            break;
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
                         MSG_NOSIGNAL);

        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                return true;
            return false;
        }
        c->out_off += (size_t)n;
        c->last_active_ms = now_ms();
    }
    if (c->close_after && response_done(c))
        return false;
    return true;
}

static void accept_all(int lfd)
{
    for (;;) {
        struct sockaddr_in sa;
        socklen_t len = sizeof(sa);
        int fd = accept4(lfd, (struct sockaddr *)&sa, &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        int slot, one = 1;

        if (fd < 0)
            return;
        for (slot = 0; slot < MAX_CONNS && conns[slot]; slot++)
            ;
        struct conn *c = slot < MAX_CONNS ? calloc(1, sizeof(*c)) : NULL;

        if (!c) {
            close(fd);
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c->fd = fd;
        c->src_fd = -1;
        c->last_active_ms = now_ms();
        inet_ntop(AF_INET, &sa.sin_addr, c->peer, sizeof(c->peer));
        conns[slot] = c;
    }
}

static int listen_on(int port)
{
    struct sockaddr_in sa = {
        .sin_family = AF_INET,
        .sin_port = htons((uint16_t)port),
        .sin_addr.s_addr = htonl(INADDR_ANY),
    };
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        perror("httpd: socket");
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 128) < 0) {
        fprintf(stderr, "httpd: port %d: %s\n", port, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void usage(void)
{
    fprintf(stderr, "usage: httpd [--port N] [--root DIR] [--quiet]\n");
}

int main(int argc, char **argv)
{
    int port = 8080;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            port = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--root") && i + 1 < argc) {
            root_dir = argv[++i];
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = true;
        } else {
            usage();
            return 2;
        }
    }
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "httpd: bad port %d\n", port);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    start_ms = now_ms();

    int lfd = listen_on(port);

    if (lfd < 0)
        return 1;
    printf("httpd: listening on port %d, serving %s\n", port, root_dir);

    while (!stopping) {
        int n = 0, map[MAX_CONNS + 1];

        pfds[n].fd = lfd;
        pfds[n++].events = POLLIN;
        for (int i = 0; i < MAX_CONNS; i++) {
            struct conn *c = conns[i];

            if (!c)
                continue;
            pfds[n].fd = c->fd;
            pfds[n].events = 0;
            if (c->req_len < REQ_MAX)
                pfds[n].events |= POLLIN;
            if (c->out_off < c->out_len || c->src != SRC_NONE)
                pfds[n].events |= POLLOUT;
            map[n++] = i;
        }
        int ready = poll(pfds, (nfds_t)n, 1000);

        if (ready < 0 && errno != EINTR) {
            perror("httpd: poll");
            return 1;
        }
        if (pfds[0].revents & POLLIN)
            accept_all(lfd);
        int64_t now = now_ms();

        for (int k = 1; k < n; k++) {
            struct conn *c = conns[map[k]];

            if (pfds[k].revents) {
                if (!conn_step(c, pfds[k].revents))
                    conn_close(map[k]);
            } else if (now - c->last_active_ms > IDLE_TIMEOUT_MS) {
                conn_close(map[k]);
            }
        }
    }
    printf("httpd: stopping after %llu requests\n",
           (unsigned long long)total_requests);
    return 0;
}
