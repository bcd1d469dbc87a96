/*
 * A Kafka cluster for tests: librdkafka's mock cluster (rdkafka_mock.h) in a process.
 *
 *   mock-cluster [brokers=N] [topic:partitions ...]
 *
 * Listens on 127.0.0.1, random ports; prints the bootstrap servers ("127.0.0.1:port,...")
 * as one line on stdout once the topics exist, then runs until stdin closes or it gets
 * SIGTERM/SIGINT. The mock supports produce, fetch, consumer groups with offset commits
 * and metadata with topic auto-creation; it has no admin API (CreateTopics), hence the
 * topics given here.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv) {
  char err[512];
  int brokers = 1;
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err) != RD_KAFKA_CONF_OK) goto fail;
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) goto fail;
  for (int i = 1; i < argc; i++)
    if (strncmp(argv[i], "brokers=", 8) == 0) brokers = atoi(argv[i] + 8);
  rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mcluster) { snprintf(err, sizeof err, "rd_kafka_mock_cluster_new failed"); goto fail; }
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "brokers=", 8) == 0) continue;
    char *colon = strrchr(argv[i], ':');
    int partitions = colon ? atoi(colon + 1) : 1;
    if (colon) *colon = '\0';
    rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mcluster, argv[i], partitions > 0 ? partitions : 1, 1);
    if (e) { snprintf(err, sizeof err, "topic %s: %s", argv[i], rd_kafka_err2str(e)); goto fail; }
  }
  struct sigaction sa = {0};
  sa.sa_handler = on_signal; /* no SA_RESTART: read() returns EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
  fflush(stdout);
  char buf[256];
  while (!stop) {
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  rd_kafka_mock_cluster_destroy(mcluster);
  rd_kafka_destroy(rk);
  return 0;
fail:
  fprintf(stderr, "mock-cluster: %s\n", err);
  return 1;
}
