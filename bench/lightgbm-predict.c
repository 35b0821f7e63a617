/* Times one LightGBM C API prediction mode on one thread (batch, single-row or SHAP); built and run by bench/gbdt-predict.ts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <LightGBM/c_api.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void check(int rc, const char* what) {
  if (rc != 0) {
    fprintf(stderr, "%s failed: %s\n", what, LGBM_GetLastError());
    exit(1);
  }
}

/* usage: lightgbm-predict MODEL ROWS.f64 NROW NCOL MODE COUNT OUT.f64
 * MODE is batch (one LGBM_BoosterPredictForMat over COUNT rows), single-fast or single (COUNT single-row calls),
 * or shap (PredictForMat with C_API_PREDICT_CONTRIB over COUNT rows). Prints "rows_per_s N" and writes the outputs. */
int main(int argc, char** argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: %s model rows.f64 nrow ncol batch|single-fast|single|shap count out.f64\n", argv[0]);
    return 2;
  }
  const int32_t nrow = atoi(argv[3]), ncol = atoi(argv[4]);
  const char* mode = argv[5];
  const int32_t count = atoi(argv[6]);
  if (count > nrow) {
    fprintf(stderr, "count %d exceeds the %d rows\n", count, nrow);
    return 2;
  }
  double* rows = malloc(sizeof(double) * (size_t)nrow * ncol);
  FILE* f = fopen(argv[2], "rb");
  if (!f || fread(rows, sizeof(double), (size_t)nrow * ncol, f) != (size_t)nrow * ncol) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 1;
  }
  fclose(f);

  BoosterHandle booster;
  int iterations;
  check(LGBM_BoosterCreateFromModelfile(argv[1], &iterations, &booster), "LGBM_BoosterCreateFromModelfile");
  const char* params = "num_threads=1";
  int64_t len;
  const size_t width = strcmp(mode, "shap") == 0 ? (size_t)ncol + 1 : 1;
  double* out = malloc(sizeof(double) * (size_t)count * width);
  double t;

  if (strcmp(mode, "batch") == 0 || strcmp(mode, "shap") == 0) {
    const int type = width == 1 ? C_API_PREDICT_NORMAL : C_API_PREDICT_CONTRIB;
    t = now();
    check(LGBM_BoosterPredictForMat(booster, rows, C_API_DTYPE_FLOAT64, count, ncol, 1, type, 0, -1, params, &len, out),
          "LGBM_BoosterPredictForMat");
    t = now() - t;
  } else if (strcmp(mode, "single-fast") == 0) {
    FastConfigHandle fast;
    check(LGBM_BoosterPredictForMatSingleRowFastInit(booster, C_API_PREDICT_NORMAL, 0, -1, C_API_DTYPE_FLOAT64, ncol,
                                                     params, &fast),
          "LGBM_BoosterPredictForMatSingleRowFastInit");
    t = now();
    for (int32_t r = 0; r < count; r++) {
      check(LGBM_BoosterPredictForMatSingleRowFast(fast, rows + (size_t)r * ncol, &len, out + r), "SingleRowFast");
    }
    t = now() - t;
    LGBM_FastConfigFree(fast);
  } else if (strcmp(mode, "single") == 0) {
    t = now();
    for (int32_t r = 0; r < count; r++) {
      check(LGBM_BoosterPredictForMatSingleRow(booster, rows + (size_t)r * ncol, C_API_DTYPE_FLOAT64, ncol, 1,
                                               C_API_PREDICT_NORMAL, 0, -1, params, &len, out + r),
            "SingleRow");
    }
    t = now() - t;
  } else {
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
  }
  printf("rows_per_s %.1f\n", count / t);

  FILE* o = fopen(argv[7], "wb");
  fwrite(out, sizeof(double), (size_t)count * width, o);
  fclose(o);
  LGBM_BoosterFree(booster);
  return 0;
}
