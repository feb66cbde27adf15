#include "server/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/http_parser.h"

namespace pt2run::server {
namespace {

using Clock = std::chrono::steady_clock;

// Requests answered on the event loop: cheap, and what orchestrators poll to decide whether
// the server lives, so they must not wait behind model runs.
bool is_probe(const HttpRequest& r) {
  if (r.method != "GET") return false;
  const std::string& p = r.path;
  if (p == "/metrics" || p == "/v2" || p.starts_with("/v2/health/")) return true;
  // Model metadata and readiness: /v2/models/NAME[/versions/V][/ready]
  return p.starts_with("/v2/models/") && p.find("/infer") == std::string::npos &&
         p.find("/weights") == std::string::npos;
}

struct Connection {
  enum class Phase { Idle, Reading, Handling, Writing };
  int fd = -1;
  uint64_t id = 0;
  Phase phase = Phase::Idle;
  std::string in;
  std::string out;
  std::size_t out_done = 0;
  std::optional<ParsedHead> head;
  bool close_after = false;
  Clock::time_point deadline;  // of the current phase
  Clock::time_point since;     // when the current phase began (who to displace first)
  uint32_t events = 0;         // epoll interest now
};

struct Job {
  int fd;
  uint64_t id;
  HttpRequest request;
  bool keep_alive;
};

struct Done {
  int fd;
  uint64_t id;
  std::string bytes;
  bool keep_alive;
};

}  // namespace

struct HttpServer::Impl {
  InferenceService& service;
  HttpOptions options;
  HttpLimits limits;
  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;
  std::atomic<bool> stopping{false};
  std::unordered_map<int, Connection> connections;
  uint64_t next_id = 1;
  std::size_t buffered = 0;  // request bytes received and not yet taken, over all connections
  std::optional<Clock::time_point> accept_paused_until;

  std::mutex jobs_mutex;
  std::condition_variable jobs_ready;
  std::deque<Job> jobs;
  bool workers_done = false;
  std::mutex done_mutex;
  std::vector<Done> done;
  std::vector<std::thread> workers;

  Impl(InferenceService& s, const HttpOptions& o) : service(s), options(o) {
    limits.max_body_bytes = o.max_body_bytes;
    limits.max_head_bytes = o.max_head_bytes;
  }

  ~Impl() {
    for (auto& [fd, c] : connections) ::close(fd);
    for (int fd : {listen_fd, epoll_fd, wake_fd})
      if (fd >= 0) ::close(fd);
  }

  void wake() {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd, &one, sizeof(one));
  }

  void set_events(Connection& c, uint32_t events) {
    if (c.events == events) return;
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = c.fd;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev);
    c.events = events;
  }

  void close_connection(int fd) {
    if (auto it = connections.find(fd); it != connections.end()) buffered -= it->second.in.size();
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    connections.erase(fd);
  }

  void enter(Connection& c, Connection::Phase phase, int timeout_s) {
    c.phase = phase;
    c.since = Clock::now();
    c.deadline = c.since + std::chrono::seconds(timeout_s);
  }

  // Queues `bytes` for writing and writes what the socket takes now.
  void respond(Connection& c, std::string bytes, bool keep_alive) {
    c.out = std::move(bytes);
    c.out_done = 0;
    c.close_after = !keep_alive || stopping.load();
    enter(c, Connection::Phase::Writing, options.write_timeout_s);
    flush(c);
  }

  void respond_error(Connection& c, int status, const std::string& message) {
    respond(c, serialize_response({status, "application/json", {}, error_body(message)}, false), false);
  }

  // Writes what it can; on the last byte, closes or waits for the next request.
  void flush(Connection& c) {
    while (c.out_done < c.out.size()) {
      const ssize_t n = ::send(c.fd, c.out.data() + c.out_done, c.out.size() - c.out_done, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_done += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        set_events(c, EPOLLOUT);
        return;
      }
      close_connection(c.fd);
      return;
    }
    if (c.phase != Connection::Phase::Writing) {  // a 100 Continue, written while reading
      c.out.clear();
      c.out_done = 0;
      set_events(c, EPOLLIN);
      return;
    }
    if (c.close_after) {
      close_connection(c.fd);
      return;
    }
    c.out.clear();
    c.out_done = 0;
    enter(c, Connection::Phase::Idle, options.idle_timeout_s);
    set_events(c, EPOLLIN);
    process(c);  // a pipelined request may be waiting in the buffer
  }

  // Parses what has arrived and, once a request is whole, answers it or hands it to a worker.
  void process(Connection& c) {
    if (c.phase != Connection::Phase::Idle && c.phase != Connection::Phase::Reading) return;
    if (c.in.empty()) return;
    if (c.phase == Connection::Phase::Idle) enter(c, Connection::Phase::Reading, options.request_timeout_s);
    if (!c.head) {
      ParsedHead head = parse_request_head(c.in, limits);
      if (head.state == ParsedHead::State::Incomplete) return;
      if (head.state == ParsedHead::State::Error) {
        respond_error(c, head.error_status, head.error);
        return;
      }
      c.head = std::move(head);
      if (c.head->expect_continue && c.head->body_bytes > 0 && c.in.size() < c.head->head_bytes + c.head->body_bytes) {
        c.out = "HTTP/1.1 100 Continue\r\n\r\n";
        c.out_done = 0;
        const int fd = c.fd;
        flush(c);
        if (!connections.contains(fd)) return;
      }
    }
    const std::size_t total = c.head->head_bytes + c.head->body_bytes;
    if (c.in.size() < total) return;
    HttpRequest request = std::move(c.head->request);
    request.body = c.in.substr(c.head->head_bytes, c.head->body_bytes);
    c.in.erase(0, total);
    buffered -= total;
    const bool keep_alive = c.head->keep_alive;
    c.head.reset();
    if (is_probe(request)) {
      respond(c, serialize_response(service.handle(request), keep_alive), keep_alive);
      return;
    }
    enter(c, Connection::Phase::Handling, 0);
    set_events(c, 0);  // nothing more is read until this request is answered
    {
      std::lock_guard lock(jobs_mutex);
      jobs.push_back({c.fd, c.id, std::move(request), keep_alive});
    }
    jobs_ready.notify_one();
  }

  void read_from(Connection& c) {
    char buffer[64 << 10];
    while (true) {
      const ssize_t n = ::recv(c.fd, buffer, sizeof(buffer), 0);
      if (n > 0) {
        c.in.append(buffer, static_cast<std::size_t>(n));
        buffered += static_cast<std::size_t>(n);
        if (buffered > options.max_buffered_bytes) {
          // Many large bodies arriving at once: refuse this one rather than hold them all.
          respond_error(c, 503, "the server is receiving too many request bytes at once (over " +
                                    std::to_string(options.max_buffered_bytes >> 20) + " MiB); retry");
          return;
        }
        // Never more than one request's worth: the parser's limits apply to what is buffered.
        if (c.in.size() > limits.max_head_bytes + limits.max_body_bytes + sizeof(buffer)) break;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      close_connection(c.fd);  // closed by the client, or an error
      return;
    }
    process(c);
  }

  // Makes room for one more connection: the longest-idle keep-alive connection goes, then the
  // one that has been reading its request longest. False if every connection is busy.
  bool make_room() {
    Connection* victim = nullptr;
    for (auto phase : {Connection::Phase::Idle, Connection::Phase::Reading}) {
      for (auto& [fd, c] : connections)
        if (c.phase == phase && (!victim || c.since < victim->since)) victim = &c;
      if (victim) break;
    }
    if (!victim) return false;
    close_connection(victim->fd);
    return true;
  }

  void accept_all() {
    while (true) {
      const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE) {
          // Out of descriptors: the pending connection would wake the loop again at once.
          // Free one if a connection can go, else listen again in a moment.
          if (make_room()) continue;
          ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
          accept_paused_until = Clock::now() + std::chrono::milliseconds(100);
        }
        return;
      }
      if (connections.size() >= options.max_connections && !make_room()) {
        ::close(fd);
        continue;
      }
      // Headers and body go out in one send; Nagle would hold small responses for an ACK.
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      Connection& c = connections[fd];
      c.fd = fd;
      c.id = next_id++;
      enter(c, Connection::Phase::Idle, options.idle_timeout_s);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      c.events = EPOLLIN;
      ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
    }
  }

  void deliver_done() {
    std::vector<Done> ready;
    {
      std::lock_guard lock(done_mutex);
      ready.swap(done);
    }
    for (Done& d : ready) {
      auto it = connections.find(d.fd);
      if (it == connections.end() || it->second.id != d.id) continue;  // the client went away
      set_events(it->second, EPOLLIN);
      respond(it->second, std::move(d.bytes), d.keep_alive);
    }
  }

  void expire() {
    const auto now = Clock::now();
    std::vector<int> idle, late_reads, late_writes;
    for (auto& [fd, c] : connections) {
      if (c.phase == Connection::Phase::Handling || now < c.deadline) continue;
      (c.phase == Connection::Phase::Idle ? idle : c.phase == Connection::Phase::Reading ? late_reads : late_writes)
          .push_back(fd);
    }
    for (int fd : idle) close_connection(fd);
    for (int fd : late_writes) close_connection(fd);
    for (int fd : late_reads)
      respond_error(connections.at(fd), 408,
                    "the request did not arrive within " + std::to_string(options.request_timeout_s) + " s");
  }

  void work() {
    while (true) {
      Job job;
      {
        std::unique_lock lock(jobs_mutex);
        jobs_ready.wait(lock, [&] { return !jobs.empty() || workers_done; });
        if (jobs.empty()) return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      std::string bytes = serialize_response(service.handle(job.request), job.keep_alive);
      {
        std::lock_guard lock(done_mutex);
        done.push_back({job.fd, job.id, std::move(bytes), job.keep_alive});
      }
      wake();
    }
  }

  bool busy() const {
    for (const auto& [fd, c] : connections)
      if (c.phase == Connection::Phase::Handling || c.phase == Connection::Phase::Writing) return true;
    return false;
  }

  void loop() {
    bool accepting = true;
    std::optional<Clock::time_point> stop_deadline;
    epoll_event events[64];
    while (true) {
      if (stopping.load() && accepting) {
        // Stop accepting; drop connections with no request running; finish the others.
        accepting = false;
        if (!accept_paused_until) ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
        std::vector<int> quiet;
        for (auto& [fd, c] : connections)
          if (c.phase == Connection::Phase::Idle || c.phase == Connection::Phase::Reading) quiet.push_back(fd);
        for (int fd : quiet) close_connection(fd);
        for (auto& [fd, c] : connections) c.close_after = true;
        stop_deadline = Clock::now() + std::chrono::seconds(options.write_timeout_s + options.request_timeout_s);
      }
      if (!accepting && (!busy() || Clock::now() > *stop_deadline)) return;
      if (accepting && accept_paused_until && Clock::now() >= *accept_paused_until) {
        accept_paused_until.reset();
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = listen_fd;
        ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev);
      }
      const int n = ::epoll_wait(epoll_fd, events, 64, 100);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == listen_fd) {
          if (accepting) accept_all();
          continue;
        }
        if (fd == wake_fd) {
          uint64_t count = 0;
          [[maybe_unused]] ssize_t r = ::read(wake_fd, &count, sizeof(count));
          deliver_done();
          continue;
        }
        auto it = connections.find(fd);
        if (it == connections.end()) continue;
        Connection& c = it->second;
        if (events[i].events & (EPOLLERR | EPOLLHUP)) {
          if (c.phase == Connection::Phase::Handling) set_events(c, 0);  // answer is dropped on delivery
          close_connection(fd);
          continue;
        }
        if ((events[i].events & EPOLLOUT) && !c.out.empty()) flush(c);
        else if (events[i].events & EPOLLIN) read_from(c);
      }
      expire();
    }
  }
};

HttpServer::HttpServer(InferenceService& service, const HttpOptions& options)
    : impl_(std::make_unique<Impl>(service, options)) {
  Impl& s = *impl_;
  auto fail_io = [&](const std::string& why) {
    throw Error(ErrorCode::Io, "cannot listen on " + options.host + ":" + std::to_string(options.port) + " (" + why +
                                   ")");
  };
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port_text = std::to_string(options.port);
  if (::getaddrinfo(options.host.c_str(), port_text.c_str(), &hints, &found) != 0 || found == nullptr)
    fail_io("not an address of this host");
  std::string why = "in use, or not an address of this host";
  for (addrinfo* a = found; a != nullptr && s.listen_fd < 0; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 1024) == 0) {
      s.listen_fd = fd;
    } else {
      why = std::strerror(errno);
      ::close(fd);
    }
  }
  ::freeaddrinfo(found);
  if (s.listen_fd < 0) fail_io(why);
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  ::getsockname(s.listen_fd, reinterpret_cast<sockaddr*>(&bound), &length);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  s.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  s.wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (s.epoll_fd < 0 || s.wake_fd < 0) fail_io(std::strerror(errno));
  for (int fd : {s.listen_fd, s.wake_fd}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ::epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, fd, &ev);
  }
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::serve() {
  Impl& s = *impl_;
  const int threads = std::max(1, s.options.threads);
  for (int i = 0; i < threads; ++i) s.workers.emplace_back([&s] { s.work(); });
  s.loop();
  {
    std::lock_guard lock(s.jobs_mutex);
    s.workers_done = true;
  }
  s.jobs_ready.notify_all();
  for (auto& w : s.workers) w.join();
  s.workers.clear();
}

void HttpServer::stop() {
  impl_->stopping.store(true);
  impl_->wake();
}

}  // namespace pt2run::server
