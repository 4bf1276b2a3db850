// run_model: the one measured path (runner.hpp).
#include "models/runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>

#include "common/stats.hpp"

namespace corio_models {

spawn_budget_t spawn_budget_for(const model& m, const workload& wl, const run_options& o, const system_limits& l) {
  // A model that creates nothing per task still holds the workload's descriptors per task in this
  // process (a coroutine fetch holds one socket per task).
  per_task_resource r = m.resource();
  unsigned fds = r == per_task_resource::process ? 0 : wl.fds_per_task();
  return spawn_budget(l, r, fds, o.margin);
}

namespace {

// The most tasks whose [start, end] intervals overlap.
std::size_t max_overlap(const std::vector<task_record>& recs) {
  std::vector<std::pair<std::int64_t, int>> ev;
  ev.reserve(recs.size() * 2);
  for (const auto& r : recs) {
    if (r.state == task_state::not_run || r.end_ns == 0) continue;
    ev.emplace_back(r.start_ns, +1);
    ev.emplace_back(r.end_ns, -1);
  }
  std::sort(ev.begin(), ev.end());  // at equal times an end (-1) sorts before a start
  long cur = 0, best = 0;
  for (auto& e : ev) best = std::max(best, cur += e.second);
  return static_cast<std::size_t>(best);
}

void compute_latencies(const std::vector<task_record>& recs, std::int64_t t0, latency_stats& out) {
  std::vector<double> total, own, start;
  total.reserve(recs.size());
  own.reserve(recs.size());
  start.reserve(recs.size());
  for (const auto& r : recs) {
    if (r.state == task_state::not_run || r.end_ns == 0) continue;
    total.push_back(static_cast<double>(r.end_ns - t0) / 1e9);
    own.push_back(static_cast<double>(r.end_ns - r.start_ns) / 1e9);
    start.push_back(static_cast<double>(r.start_ns - t0) / 1e9);
  }
  if (total.empty()) return;
  out.p50_s = corio_bench::percentile(total, 0.5);
  out.p99_s = corio_bench::percentile(total, 0.99);
  out.max_s = total.back();  // sorted by percentile()
  out.own_p50_s = corio_bench::percentile(own, 0.5);
  out.own_p99_s = corio_bench::percentile(own, 0.99);
  out.start_p50_s = corio_bench::percentile(start, 0.5);
  out.start_p99_s = corio_bench::percentile(start, 0.99);
}

}  // namespace

run_result run_model(model& m, workload& wl, const run_options& o, bool keep_records) {
  run_result res;
  res.model = m.name();
  res.workload = wl.name();
  res.n = o.n;

  // Records first, zero-filled (touched), so that their pages are in the baseline.
  std::vector<task_record> records(o.n);
  wl.prepare(o.n);

  res.limits = read_limits();
  run_control ctl;
  spawn_budget_t cap = spawn_budget_for(m, wl, o, res.limits);
  if (o.max_alive > 0 && m.resource() != per_task_resource::none && (cap.max_alive == 0 || o.max_alive < cap.max_alive)) {
    cap.max_alive = o.max_alive;
    cap.why = "max_alive " + std::to_string(o.max_alive) + " (run option)";
  }
  res.spawn_cap = cap.max_alive;
  res.spawn_cap_why = cap.why;
  if (cap.max_alive > 0) ctl.set_spawn_budget(cap.max_alive, cap.why);

  measurement::options mo;
  mo.interval_s = o.sample_interval_s;
  mo.memory_budget = o.memory_budget;
  mo.mem_floor = o.margin.mem_floor;
  mo.pid_floor = m.resource() == per_task_resource::none ? 0 : o.margin.pids / 2;
  mo.progress = o.progress;
  mo.label = o.label.empty() ? res.model.c_str() : o.label.c_str();
  measurement meter(ctl, mo);

  const std::int64_t t0 = meter.start();
  res.t0_ns = t0;
  if (o.time_budget_s > 0) ctl.set_deadline(t0 + static_cast<std::int64_t>(o.time_budget_s * 1e9), o.time_budget_s);
  run_context ctx{wl, records, ctl, o, meter, t0};
  try {
    m.run(ctx);
  } catch (const std::exception& e) {
    // A model reports its limits itself; anything else that escapes is an error of the run.
    ctl.request_stop(stop_kind::error, std::string("model failed: ") + e.what());
  }
  const std::int64_t t1 = mono_ns();
  res.m = meter.stop(t1);

  // Verify the records: every started task must have exactly one final record.
  for (auto& r : records) {
    if (r.runs > 1) ++res.duplicates;
    if (r.state == task_state::ok) ++res.done;
    if (r.state == task_state::failed) ++res.failed;
  }
  res.started = ctl.started.load();
  if (res.done + res.failed < res.started) res.failed = res.started - res.done;  // lost tasks
  res.complete = res.done == o.n && res.duplicates == 0;
  res.stopped_by = ctl.stopped_by();
  res.stop_detail = ctl.stop_text();
  res.stop_errno = ctl.stop_errno();
  if (res.complete && res.stopped_by != stop_kind::none) {
    // A budget that fired after the last task had started stopped nothing.
    res.stop_detail = "(after all tasks started) " + res.stop_detail;
  }
  res.concurrency = m.concurrency(o);
  const double L = wl.nominal_task_s();
  if (std::isfinite(L) && res.started > 0) {
    const std::size_t c = std::max<std::size_t>(1, std::min(res.concurrency, res.started));
    res.ideal_s = static_cast<double>((res.started + c - 1) / c) * L;
  }
  compute_latencies(records, t0, res.lat);
  res.max_in_flight = max_overlap(records);
  const double per_task = res.mem_per_task();
  if (res.concurrency < o.n) {
    // A pool (or sequential) holds no more per task as N grows: its wall is time. C tasks at a
    // time: N tasks take ceil(N/C) task durations.
    const double per = std::isfinite(L) ? L : (res.done ? res.m.wall_s / static_cast<double>(res.done) * static_cast<double>(res.concurrency) : NAN);
    const double t = std::ceil(static_cast<double>(o.n) / static_cast<double>(res.concurrency)) * per;
    char buf[200];
    std::snprintf(buf, sizeof buf, "%zu tasks at a time: N=%zu takes ceil(N/%zu) x %.3g s = %.4g s", res.concurrency, o.n,
                  res.concurrency, per, t);
    res.walls = {wall{"time (pool size)", static_cast<double>(o.n), buf}};
  } else {
    res.walls = walls(res.limits, m.resource(), wl.fds_per_task(), per_task);
  }

  res.head.add("model", res.model).add("workload", res.workload);
  m.describe(res.head);
  wl.describe(res.head);
  if (keep_records) res.records = std::move(records);
  return res;
}

double run_result::mem_per_task() const {
  if (m.samples == 0 || max_in_flight == 0) return NAN;
  return static_cast<double>(m.mem_peak) / static_cast<double>(max_in_flight);
}

corio_bench::json_line run_result::json() const {
  corio_bench::json_line j = head;
  auto ratio = [](double a, double b) { return b > 0 ? a / b : NAN; };
  j.add("n", n).add("started", started).add("done", done).add("failed", failed).add("duplicates", duplicates);
  j.add("complete", complete).add("stopped_by", to_string(stopped_by)).add("stop_detail", stop_detail);
  if (stop_errno) j.add("stop_errno", stop_errno);
  j.add("concurrency", concurrency);
  j.add("wall_s", m.wall_s).add("ideal_s", ideal_s).add("wall_over_ideal", ratio(m.wall_s, ideal_s));
  j.add("cpu_s", m.user_s + m.sys_s).add("user_s", m.user_s).add("sys_s", m.sys_s);
  j.add("children_user_s", m.children_user_s).add("children_sys_s", m.children_sys_s);
  j.add("sampler_cpu_s", m.sampler_cpu_s);
  j.add("vcsw", m.vcsw).add("ivcsw", m.ivcsw);
  j.add("mem_peak_bytes", m.mem_peak);
  j.add("max_in_flight", max_in_flight).add("in_flight_at_peak", m.in_flight_at_peak);
  j.add("mem_per_task_bytes", mem_per_task());
  j.add("mem_per_started_bytes", started ? static_cast<double>(m.mem_peak) / static_cast<double>(started) : NAN);
  j.add("mem_self_bytes", m.mem_self_at_peak).add("mem_children_bytes", m.mem_children_at_peak);
  j.add("mem_kernel_bytes", m.mem_kernel_at_peak).add("mem_self_base_bytes", m.mem_self_base);
  j.add("children_sampled", m.children_sampled).add("children_peak", m.children_peak);
  j.add("threads_peak", m.threads_peak).add("samples", m.samples);
  j.add("self_hwm_kb", m.self_hwm_kb).add("children_maxrss_kb", m.children_maxrss_kb);
  j.add("sys_used_delta_bytes", m.sys_used_peak).add("kernel_machine_delta_bytes", m.kernel_machine_peak);
  j.add("lat_p50_s", lat.p50_s).add("lat_p99_s", lat.p99_s).add("lat_max_s", lat.max_s);
  j.add("task_p50_s", lat.own_p50_s).add("task_p99_s", lat.own_p99_s);
  j.add("start_p50_s", lat.start_p50_s).add("start_p99_s", lat.start_p99_s);
  j.add("spawn_cap", spawn_cap).add("spawn_cap_why", spawn_cap_why);
  std::string w = "[";
  for (std::size_t k = 0; k < walls.size(); ++k) {
    corio_bench::json_line x;
    x.add("name", walls[k].name).add("tasks", walls[k].tasks).add("detail", walls[k].detail);
    w += (k ? "," : "") + x.str();
  }
  j.add_raw("walls", w + "]");
  j.add("pid_max", limits.pid_max).add("tasks_in_use", limits.tasks_in_use).add("max_map_count", limits.max_map_count);
  j.add("mem_available_bytes", limits.mem_available).add("cpus", limits.cpus).add("loadavg_1m", limits.loadavg_1m);
  return j;
}

}  // namespace corio_models
