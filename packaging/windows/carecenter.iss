; Inno Setup 6 script for 关心关爱中心 (NOT YET RUN BY US: there is no Windows machine here;
; .github/workflows/windows-package.yml builds and smoke-tests it on a Windows runner).
;
; Compiled by `python packaging\build.py` on Windows when ISCC.exe is found, which passes
;   /DAppVersion=… /DSourceDir=dist\carecenter /DOutputDir=dist /DIconFile=…\carecenter.ico
; By hand:  "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" packaging\windows\carecenter.iss
;
; - per-user install, no administrator rights: %LOCALAPPDATA%\Programs\关心关爱中心
; - Start-menu and desktop shortcuts
; - the data stay in the user's profile (%LOCALAPPDATA%\CareCenter\CareCenter); the uninstaller
;   removes only the files it installed, never that folder

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\carecenter"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef IconFile
  #define IconFile "..\..\resources\app-icon\carecenter.ico"
#endif
#define AppName "关心关爱中心"
#define AppExe "carecenter.exe"

[Setup]
AppId={{6F1C2B7A-3D4E-4B8C-9A51-2E7D0C4F8A36}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=关心关爱中心开发组
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=carecenter-{#AppVersion}-windows-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no
CloseApplications=yes

[Languages]
; Chinese Simplified is an official translation from Inno Setup 6.4 on; older versions need
; ChineseSimplified.isl copied into Inno Setup's Languages folder.
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
  #error 找不到 Inno Setup 的简体中文语言文件 Languages\ChineseSimplified.isl：请安装 Inno Setup 6.4 或更新版本。
#endif

[Tasks]
Name: "desktopicon"; Description: "在桌面上创建快捷方式"; GroupDescription: "快捷方式："

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"
Name: "{autoprograms}\{#AppName}（演示数据）"; Filename: "{app}\{#AppExe}"; Parameters: "--demo"; WorkingDir: "{userdocs}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "立即打开{#AppName}"; Flags: nowait postinstall skipifsilent

[Messages]
FinishedLabel=已在本机安装{#AppName}。数据保存在您的用户目录中，卸载程序时不会删除。
