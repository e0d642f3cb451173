#!/usr/bin/env bash
# Printed by `make run` before the server starts.
cat <<TXT

  govpulse 政务服务数字化运营管理系统 — http://${1:-127.0.0.1:8080}
  API docs: http://${1:-127.0.0.1:8080}/api/docs

  Demo accounts (username / password):
    admin    / Admin@12345   system admin 系统管理员
    secadmin / Sec@123456    security admin 安全管理员
    auditor  / Audit@12345   audit admin 审计管理员
    city     / City@12345    city operator 市级运营人员
    chaoyang / Chaoyang@123  district operator 朝阳区
    haidian  / Haidian@123   district operator 海淀区
    dept     / Dept@123456   department user 市市场监管局
    evaluator / Eval@123456  evaluator 考核管理员 (质效评价)

  Public guidance (no login): http://${1:-127.0.0.1:8080}/guide

TXT
